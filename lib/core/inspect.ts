import { classifyEnvelope, type Table } from './table'
import { parse } from './decide'
import { findEnvelope } from './extract'
import type { Settings } from '../settings/options'
import type { Decision } from '../types'
import { isJsonContentType } from './gate'
import { cachedDecision } from './decision-cache'

/** Where a throwing user rule is reported (a Fastify logger). */
export interface RuleErrorLog {
  error: (details: object, message: string) => void
}

/** Whether a response with this status is judged at all: a 2xx, or a 4xx/5xx with `correctErrorStatus`. */
export function isJudgedStatus (settings: Settings, status: number): boolean {
  return (status >= 200 && status < 300) || (settings.correctErrorStatus && status >= 400 && status < 600)
}

/** The body as parsed by a first inspection, so that a second one (a route's late settings) does not parse it again. */
export interface ParsedBody {
  value?: unknown
}

/**
 * The decision for a response that is an error in need of another status, or null to send it as it is. Never throws.
 * `tableFor` is asked only for a body that passed the byte gate (it may call the user's provider function).
 */
export function inspectResponse (settings: Settings, status: number, contentType: unknown, payload: unknown, log: RuleErrorLog | undefined, tableFor: () => Table, parsed: ParsedBody = {}): Decision | null {
  if (!isJudgedStatus(settings, status)) return null
  if (!isJsonContentType(contentType)) return null
  const gate = settings.table.gate
  if (typeof payload === 'string') {
    if (payload.length > settings.maxBodyBytes || !gate.text(payload)) return null
  } else if (Buffer.isBuffer(payload)) {
    if (payload.length > settings.maxBodyBytes || !gate.bytes(payload)) return null
  } else {
    return null
  }
  let decision
  try {
    const table = tableFor()
    decision = cachedDecision(table.decisions, payload, () => {
      if (!('value' in parsed)) parsed.value = parse(payload)
      const envelope = findEnvelope(parsed.value, table.extractors)
      return envelope === null ? null : classifyEnvelope(envelope, table)
    })
  } catch (error) {
    // A user rule threw: the response goes out as it came.
    log?.error({ err: error }, 'fastify-openai-errors: a rule threw; response sent as it came')
    return null
  }
  if (decision === null || decision.status === status) return null
  // An error status is only corrected when the table knows better than a guess.
  if (status >= 400 && decision.rule === 'fallback') return null
  return decision
}
