import { findEnvelope } from './envelope'
import { compileRule, type CompiledRule } from './match'
import { RETRY_STATUSES, retryDelayFromMessage } from './retry'
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

function decide (envelope: Envelope, status: number, name: string, rule?: Rule): Decision {
  const code = rule?.errorCode ?? envelope.code
  return {
    status,
    type: rule?.errorType ?? envelope.type ?? typeForStatus(status),
    code: code === undefined ? null : String(code),
    message: envelope.message,
    param: envelope.param,
    rule: name,
    shape: envelope.shape,
    retryable: rule?.retryable ?? null,
    retryAfterMs: RETRY_STATUSES.has(status) ? retryDelayFromMessage(envelope.message.slice(0, 4096)) : null
  }
}

/** One step of a classification, for `explain()`: a rule tried, or the status hint, or the fallback. */
export interface TrailStep {
  stage: 'user' | 'status-hint' | 'default' | 'fallback'
  rule: string
  matched: boolean
}

function firstMatch (rules: readonly CompiledRule[], envelope: Envelope, message: string, lower: string, trail: TrailStep[] | undefined, stage: 'user' | 'default'): Rule | undefined {
  for (const compiled of rules) {
    const matched = compiled.test(envelope, message, lower)
    trail?.push({ stage, rule: compiled.rule.name, matched })
    if (matched) return compiled.rule
  }
  return undefined
}

/**
 * The decision for an envelope: the first user rule that matches, else the status the body claims,
 * else the first default rule, else the fallback status. A weak envelope (a bare message) gets no
 * fallback: null means "leave the response alone".
 */
export function classifyEnvelope (envelope: Envelope, table: Table = defaultTable, trail?: TrailStep[]): Decision | null {
  const message = envelope.message.length > table.maxMessageChars
    ? envelope.message.slice(0, table.maxMessageChars)
    : envelope.message
  const lower = message.toLowerCase()
  const user = firstMatch(table.userRules, envelope, message, lower, trail, 'user')
  if (user !== undefined) return decide(envelope, user.status, user.name, user)
  if (envelope.hint !== undefined) {
    trail?.push({ stage: 'status-hint', rule: 'status-hint', matched: true })
    // The body's own status wins over wording; a default rule that agrees with it still names the type.
    const named = firstMatch(table.defaultRules, envelope, message, lower, trail, 'default')
    return decide(envelope, envelope.hint, 'status-hint', named !== undefined && named.status === envelope.hint ? named : undefined)
  }
  const rule = firstMatch(table.defaultRules, envelope, message, lower, trail, 'default')
  if (rule !== undefined) return decide(envelope, rule.status, rule.name, rule)
  if (envelope.weak) return null
  trail?.push({ stage: 'fallback', rule: 'fallback', matched: true })
  return decide(envelope, table.fallbackStatus, 'fallback')
}

export function parse (body: unknown): unknown {
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
