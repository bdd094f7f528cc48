import { parse } from './decide'
import { findEnvelope } from './extract'
import { normaliseOptions } from '../settings/options'
import { classify as classifyWith, classifyEnvelope as classifyEnvelopeWith, type Table, type Working } from './table'
import type { ClassifyOptions, Explanation } from '../../index'
import type { Decision, Envelope } from '../types'

// The pure API (classify, classifyEnvelope, explain) over the same tables the plugin builds.

export type { ClassifyOptions, Explanation }

// One compiled table per options object: build the options once and reuse them.
const tables = new WeakMap<object, Table>()

function tableFor (options: ClassifyOptions | undefined): Table | undefined {
  if (options === undefined) return undefined
  let table = tables.get(options)
  if (table === undefined) {
    const { rules, defaultRules, fallbackStatus, maxMessageChars, extractors, provider } = options
    table = normaliseOptions({ rules, defaultRules, fallbackStatus, maxMessageChars, extractors, provider }).settings.table
    tables.set(options, table)
  }
  return table
}

/**
 * The pure decision for a body (parsed value, JSON string or Buffer), with the default table or the one
 * `options` describe; null when the body is no error envelope. Throws FST_OPENAI_ERRORS_INVALID_OPTION.
 */
export function classify (body: unknown, options?: ClassifyOptions): Decision | null {
  return classifyWith(body, tableFor(options))
}

/** The decision for an envelope `findEnvelope()` found, with the default table or the one `options` describe. */
export function classifyEnvelope (envelope: Envelope, options?: ClassifyOptions): Decision | null {
  return classifyEnvelopeWith(envelope, tableFor(options))
}

/** `classify()` with its working shown, for users customising the table (and the `explain` CLI). */
export function explain (body: unknown, options?: ClassifyOptions): Explanation {
  const table = tableFor(options)
  const envelope = findEnvelope(parse(body), table?.extractors)
  const working: Working = { trail: [], evidence: [], margin: null }
  const decision = envelope === null ? null : classifyEnvelopeWith(envelope, table, working)
  return { envelope, decision, trail: working.trail, evidence: working.evidence, margin: working.margin }
}
