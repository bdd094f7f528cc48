import { classify as classifyWith, type Table } from './classify'
import { normaliseOptions } from './options'
import type { Decision, Rule } from './types'

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
  if (options === undefined) return classifyWith(body)
  let table = tables.get(options)
  if (table === undefined) {
    const { rules, defaultRules, fallbackStatus, maxMessageChars } = options
    table = normaliseOptions({ rules, defaultRules, fallbackStatus, maxMessageChars }).settings.table
    tables.set(options, table)
  }
  return classifyWith(body, table)
}
