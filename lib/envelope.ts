import type { Envelope, EnvelopeShape } from './types'

// Keys that mark a body as a resource (a response, a job, a completion) rather than an error envelope:
// an OpenAI Responses object or a failed fine-tuning job carries `error` as a field of its own state.
const RESOURCE_KEYS = ['id', 'choices', 'data', 'output', 'results', 'candidates', 'usage', 'created', 'created_at']

// A bare-message body may carry these beside its message (Bedrock, Mistral's gateway).
const BARE_MESSAGE_KEYS = new Set(['message', 'Message', 'request_id', 'requestId', '__type'])
const isBareMessageKey = (key: string): boolean => BARE_MESSAGE_KEYS.has(key)

// How deep we follow a message that is itself an envelope (an object or a JSON string of one).
const MAX_NESTING = 3
const MAX_NESTED_JSON_CHARS = 16384

type Obj = Record<string, unknown>

function isObject (value: unknown): value is Obj {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function text (value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' && value !== 'None' ? value : undefined
}

function codeOf (value: unknown): string | number | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return value
  return text(value)
}

/** An HTTP error status, from a number or a numeric string, or undefined. `"1300"`, `999`, `"429abc"` are not. */
export function statusHint (value: unknown): number | undefined {
  if (typeof value === 'number') {
    return Number.isInteger(value) && value >= 400 && value <= 599 ? value : undefined
  }
  if (typeof value === 'string' && value.length === 3 && /^[45]\d\d$/.test(value)) return Number(value)
  return undefined
}

function firstHint (...values: unknown[]): number | undefined {
  for (const value of values) {
    const hint = statusHint(value)
    if (hint !== undefined) return hint
  }
  return undefined
}

function isResource (body: Obj): boolean {
  if (body.object !== undefined && body.object !== 'error') return true
  for (const key of RESOURCE_KEYS) {
    if (body[key] !== undefined) return true
  }
  return false
}

/** The envelope a message carries when the message is itself an error object or a JSON string of one. */
function nestedEnvelope (message: unknown, depth: number): Envelope | null {
  if (depth >= MAX_NESTING) return null
  if (isObject(message)) return findEnvelopeAt(message, depth + 1) ?? fromErrorObject('openai', message, {}, depth + 1)
  if (typeof message === 'string' && message.length <= MAX_NESTED_JSON_CHARS) {
    const trimmed = message.trim()
    if (trimmed.charCodeAt(0) === 0x7b /* { */ && trimmed.charCodeAt(trimmed.length - 1) === 0x7d /* } */) {
      try {
        return findEnvelopeAt(JSON.parse(trimmed), depth + 1)
      } catch {
        return null
      }
    }
  }
  return null
}

function fromErrorObject (shape: EnvelopeShape, error: Obj, body: Obj, depth: number): Envelope | null {
  const rawMessage = error.message
  const inner = nestedEnvelope(rawMessage, depth)
  const message = inner?.message ?? text(rawMessage) ?? ''
  const type = text(error.type) ?? inner?.type
  const code = codeOf(error.code) ?? inner?.code
  const statusName = typeof error.status === 'string' ? error.status : inner?.statusName
  if (message === '' && type === undefined && code === undefined && statusName === undefined && !isObject(rawMessage)) return null
  const hint = firstHint(error.code, error.status, error.statusCode, body.raw_status_code, body.statusCode, body.status) ??
    inner?.hint
  return {
    shape: statusName !== undefined && shape === 'openai' ? 'google' : shape,
    message,
    type,
    code,
    param: text(error.param) ?? inner?.param ?? null,
    statusName,
    hint,
    weak: false
  }
}

function fromString (error: string, body: Obj): Envelope | null {
  if (error.trim() === '') return null
  return {
    shape: 'string',
    // Fastify's own shape puts the reason phrase in `error` and the detail in `message`.
    message: text(body.message) ?? error,
    type: text(body.error_type) ?? text(body.type),
    code: codeOf(body.code),
    param: null,
    statusName: undefined,
    hint: firstHint(body.statusCode, body.status, body.code, body.raw_status_code),
    weak: false
  }
}

function findEnvelopeAt (body: unknown, depth: number): Envelope | null {
  if (Array.isArray(body)) {
    // Vertex AI answers some errors as an array of Google envelopes.
    return body.length > 0 && isObject(body[0]) && body[0].error !== undefined ? findEnvelopeAt(body[0], depth) : null
  }
  if (!isObject(body) || isResource(body)) return null
  const error = body.error
  if (body.type === 'error' && isObject(error)) return fromErrorObject('anthropic', error, body, depth)
  // Flat: vLLM/Mistral `object: "error"`, and the Responses API stream's `{"type":"error","code","message"}`.
  if (body.object === 'error' || (body.type === 'error' && error === undefined)) return fromErrorObject('flat', body, body, depth)
  if (isObject(error)) return fromErrorObject('openai', error, body, depth)
  if (typeof error === 'string') return fromString(error, body)
  if (error === undefined) {
    // AWS-style bodies (Bedrock) are a bare message; only a rule that recognises the message may remap them.
    const message = text(body.message) ?? text(body.Message)
    if (message !== undefined && Object.keys(body).every(isBareMessageKey)) {
      return { shape: 'message', message, type: undefined, code: undefined, param: null, statusName: undefined, hint: undefined, weak: true }
    }
  }
  return null
}

/**
 * The error envelope in a parsed response body, or null when the body is not an error:
 * OpenAI `{error:{...}}`, Anthropic `{type:"error",error:{...}}`, flat `{object:"error",...}` (vLLM, Mistral),
 * Google `{error:{code,status,message}}` and arrays of it (Vertex), `{error:"..."}` (Ollama, TGI, Fastify)
 * and a bare `{message}` (Bedrock, weak). Resources that carry an `error` field are not envelopes.
 */
export function findEnvelope (body: unknown): Envelope | null {
  return findEnvelopeAt(body, 0)
}
