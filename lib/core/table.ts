import { buildTable as buildCoreTable, classifyBody, classifyEnvelope as classifyWith, type Table, type Working } from './decide'
import { defaultRules } from '../packs'
import type { Decision, Envelope, Extractor, Rule } from '../types'

// The default table: the provider packs compiled by core/. Everything that classifies with the defaults goes here.

export interface TableSettings {
  rules?: readonly Rule[]
  /** false: the user's rules alone. */
  defaults?: boolean
  fallbackStatus?: number | 'leave'
  maxMessageChars?: number
  extractors?: readonly Extractor[]
  provider?: string | null
}

export type { Table, Working }

export function buildTable (settings: TableSettings = {}): Table {
  return buildCoreTable(defaultRules, { ...settings, defaults: settings.defaults === false ? false : undefined })
}

export const defaultTable = buildTable()

/** Classify a body (parsed, a JSON string or a Buffer) with a table, the default one unless given. */
export function classify (body: unknown, table: Table = defaultTable, working?: Working): Decision | null {
  return classifyBody(body, table, working)
}

export function classifyEnvelope (envelope: Envelope, table: Table = defaultTable, working?: Working): Decision | null {
  return classifyWith(envelope, table, working)
}
