import { findEnvelope } from './envelope'
import { compileRule, type CompiledRule } from './match'
import { defaultRules } from './rules'
import { typeForStatus } from './status-types'
import type { Decision, Envelope, Rule } from './types'

export const DEFAULT_MAX_MESSAGE_CHARS = 1024
export const DEFAULT_FALLBACK_STATUS = 500

/** The mapping table, compiled once: user rules, then the body's own status hint, then the defaults. */
export interface Table {
  userRules: readonly CompiledRule[]
  defaultRules: readonly CompiledRule[]
  fallbackStatus: number
  maxMessageChars: number
}

const compiledDefaults = defaultRules.map(compileRule)

export function buildTable (options: { rules?: readonly Rule[], defaults?: boolean, fallbackStatus?: number, maxMessageChars?: number } = {}): Table {
  return Object.freeze({
    userRules: Object.freeze((options.rules ?? []).map(compileRule)),
    defaultRules: options.defaults === false ? [] : compiledDefaults,
    fallbackStatus: options.fallbackStatus ?? DEFAULT_FALLBACK_STATUS,
    maxMessageChars: options.maxMessageChars ?? DEFAULT_MAX_MESSAGE_CHARS
  })
}

const defaultTable = buildTable()

function decide (envelope: Envelope, status: number, rule: string, errorType?: string, errorCode?: string): Decision {
  const code = errorCode ?? envelope.code
  return {
    status,
    type: errorType ?? envelope.type ?? typeForStatus(status),
    code: code === undefined ? null : String(code),
    message: envelope.message,
    param: envelope.param,
    rule
  }
}

function firstMatch (rules: readonly CompiledRule[], envelope: Envelope, message: string, lower: string): Rule | undefined {
  for (const compiled of rules) {
    if (compiled.test(envelope, message, lower)) return compiled.rule
  }
  return undefined
}

/**
 * The decision for an envelope: the first user rule that matches, else the status the body claims,
 * else the first default rule, else the fallback status. A weak envelope (a bare message) gets no
 * fallback: null means "leave the response alone".
 */
export function classifyEnvelope (envelope: Envelope, table: Table = defaultTable): Decision | null {
  const message = envelope.message.length > table.maxMessageChars
    ? envelope.message.slice(0, table.maxMessageChars)
    : envelope.message
  const lower = message.toLowerCase()
  const user = firstMatch(table.userRules, envelope, message, lower)
  if (user !== undefined) return decide(envelope, user.status, user.name, user.errorType, user.errorCode)
  if (envelope.hint !== undefined) {
    // The body's own status wins over wording; a default rule may still name the canonical type.
    const named = firstMatch(table.defaultRules, envelope, message, lower)
    const sameStatus = named !== undefined && named.status === envelope.hint
    return decide(envelope, envelope.hint, 'status-hint', sameStatus ? named.errorType : undefined, sameStatus ? named.errorCode : undefined)
  }
  const rule = firstMatch(table.defaultRules, envelope, message, lower)
  if (rule !== undefined) return decide(envelope, rule.status, rule.name, rule.errorType, rule.errorCode)
  if (envelope.weak) return null
  return decide(envelope, table.fallbackStatus, 'fallback')
}

function parse (body: unknown): unknown {
  if (typeof body === 'string' || Buffer.isBuffer(body)) {
    try {
      return JSON.parse(body.toString())
    } catch {
      return undefined
    }
  }
  return body
}

/**
 * Classify a response body (a parsed value, a JSON string or a Buffer): the status, type, code,
 * message and param it should leave with, and the rule that decided; null when it is not an error.
 */
export function classify (body: unknown, table: Table = defaultTable): Decision | null {
  const envelope = findEnvelope(parse(body))
  return envelope === null ? null : classifyEnvelope(envelope, table)
}
