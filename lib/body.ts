/** The fields of an OpenAI error body. */
export interface ErrorFields {
  message: string
  type: string
  param: string | null
  code: string | null
}

/** `{"error":{"message","type","param","code"}}`, the shape every OpenAI client parses. */
export function openaiErrorBody (fields: ErrorFields): string {
  return JSON.stringify({ error: { message: fields.message, type: fields.type, param: fields.param, code: fields.code } })
}

export const JSON_CONTENT_TYPE = 'application/json; charset=utf-8'
