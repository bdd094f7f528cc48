import { redact } from './redact'

/** The fields of an OpenAI error body. */
export interface ErrorFields {
  message: string
  type: string
  param: string | null
  code: string | null
}

const redactOrNull = (value: string | null): string | null => (value === null ? null : redact(value))

/**
 * `{"error":{"message","type","param","code"}}`, the shape every OpenAI client parses. Every body the
 * plugin builds goes through here, so none carries a credential, a file path or a stack frame.
 */
export function openaiErrorBody (fields: ErrorFields): string {
  return JSON.stringify({
    error: { message: redact(fields.message), type: redact(fields.type), param: redactOrNull(fields.param), code: redactOrNull(fields.code) }
  })
}

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

export const JSON_CONTENT_TYPE = 'application/json; charset=utf-8'
