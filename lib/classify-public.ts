import { classify as classifyWith, classifyEnvelope, parse, type Table, type TrailStep } from './classify'
import { findEnvelope } from './envelope'
import { normaliseOptions } from './options'
import type { Decision, Envelope, Rule } from './types'

/** The table options `classify()` takes: the same as the plugin's, validated the same way. */
export interface ClassifyOptions {
  rules?: Rule[]
  defaultRules?: boolean
  fallbackStatus?: number
  maxMessageChars?: number
}

// One compiled table per options object: build the options once and reuse them.
const tables = new WeakMap<object, Table>()

/**
 * The pure decision for a body (parsed value, JSON string or Buffer), with the default table or the one
 * `options` describe; null when the body is no error envelope. Throws FST_OPENAI_ERRORS_INVALID_OPTION.
 */
export function classify (body: unknown, options?: ClassifyOptions): Decision | null {
  return classifyWith(body, tableFor(options))
}

function tableFor (options: ClassifyOptions | undefined): Table | undefined {
  if (options === undefined) return undefined
  let table = tables.get(options)
  if (table === undefined) {
    const { rules, defaultRules, fallbackStatus, maxMessageChars } = options
    table = normaliseOptions({ rules, defaultRules, fallbackStatus, maxMessageChars }).settings.table
    tables.set(options, table)
  }
  return table
}

/** Why a body maps where it does: the envelope found, the decision, and every rule tried on the way. */
export interface Explanation {
  envelope: Envelope | null
  decision: Decision | null
  trail: TrailStep[]
}

/** `classify()` with its working shown, for users customising the table (and the `explain` CLI). */
export function explain (body: unknown, options?: ClassifyOptions): Explanation {
  const envelope = findEnvelope(parse(body))
  const trail: TrailStep[] = []
  const decision = envelope === null ? null : classifyEnvelope(envelope, tableFor(options), trail)
  return { envelope, decision, trail }
}
