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

export const JSON_CONTENT_TYPE = 'application/json; charset=utf-8'
