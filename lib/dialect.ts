import { openaiErrorBody, type ErrorFields } from './body'
import { redact } from './redact'
import type { Dialect } from './options'

// The Anthropic Messages API's error shape: {"type":"error","error":{"type","message"}}, with its own type
// names (docs.anthropic.com/en/api/errors). The Anthropic SDK reads the status; its users read the type.
const ANTHROPIC_TYPES: ReadonlyMap<number, string> = new Map([
  [400, 'invalid_request_error'],
  [401, 'authentication_error'],
  [402, 'billing_error'],
  [403, 'permission_error'],
  [404, 'not_found_error'],
  [413, 'request_too_large'],
  [429, 'rate_limit_error'],
  [500, 'api_error'],
  [503, 'overloaded_error'],
  [504, 'timeout_error'],
  [529, 'overloaded_error']
])
const ANTHROPIC_TYPE_NAMES: ReadonlySet<string> = new Set(ANTHROPIC_TYPES.values())

// The status names the type where Anthropic has one for it; otherwise an Anthropic name we were given is kept.
function anthropicType (status: number, type: string): string {
  return ANTHROPIC_TYPES.get(status) ?? (ANTHROPIC_TYPE_NAMES.has(type) ? type : (status < 500 ? 'invalid_request_error' : 'api_error'))
}

export function anthropicErrorBody (status: number, fields: ErrorFields): string {
  return JSON.stringify({ type: 'error', error: { type: anthropicType(status, fields.type), message: redact(fields.message) } })
}

/** The dialect a request speaks: `auto` means Anthropic's on the Messages API (`/v1/messages...`), else OpenAI's. */
export function dialectOf (dialect: Dialect, url: string): 'openai' | 'anthropic' {
  if (dialect !== 'auto') return dialect
  const query = url.indexOf('?')
  const path = query === -1 ? url : url.slice(0, query)
  return /\/v1\/messages(?:\/|$)/.test(path) ? 'anthropic' : 'openai'
}

/** The error body the plugin builds, in the request's dialect. */
export function errorBody (dialect: Dialect, url: string, status: number, fields: ErrorFields): string {
  return dialectOf(dialect, url) === 'anthropic' ? anthropicErrorBody(status, fields) : openaiErrorBody(fields)
}
