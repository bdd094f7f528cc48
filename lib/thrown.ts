import { findEnvelope, statusHint } from './envelope'
import { typeForStatus } from './status-types'
import type { Envelope } from './types'

/** What the error handler sends for a thrown error. */
export interface ThrownDecision {
  status: number
  message: string
  type: string
  code: string | null
  param: string | null
  /** The status came from an upstream's answer or connection, not from our own code. */
  upstream: boolean
}

type Obj = Record<string, any>

// Messages for 5xx answers: what a client may know without learning anything about our internals.
const SERVER_MESSAGES: Readonly<Record<number, string>> = Object.freeze({
  500: 'The server had an error while processing your request.',
  501: 'This operation is not implemented.',
  502: 'The upstream service could not be reached or sent an invalid response.',
  503: 'The service is temporarily unavailable. Please retry.',
  504: 'The upstream service did not answer in time.',
  529: 'The service is overloaded. Please retry.'
})

export function serverMessage (status: number): string {
  return SERVER_MESSAGES[status] ?? SERVER_MESSAGES[500]
}

// Node, undici and fetch failures that mean "the upstream could not be reached" or "it took too long".
const CONNECTION_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'EPIPE', 'EHOSTUNREACH',
  'ENETUNREACH', 'ECONNABORTED', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED', 'ERR_STREAM_PREMATURE_CLOSE'])
const TIMEOUT_CODES = new Set(['ETIMEDOUT', 'ESOCKETTIMEDOUT', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT'])
const CONNECTION_NAMES = new Set(['APIConnectionError'])
const TIMEOUT_NAMES = new Set(['APIConnectionTimeoutError', 'TimeoutError'])

// Fastify's own request errors, with OpenAI's words for them.
const FASTIFY_ERRORS: Readonly<Record<string, { status: number, message?: string, code: string }>> = Object.freeze({
  FST_ERR_CTP_INVALID_JSON_BODY: { status: 400, message: 'We could not parse the JSON body of your request. Please send valid JSON.', code: 'invalid_json' },
  FST_ERR_CTP_EMPTY_JSON_BODY: { status: 400, message: 'The request body is empty. Please send a JSON body.', code: 'invalid_json' },
  FST_ERR_CTP_BODY_TOO_LARGE: { status: 413, code: 'request_too_large' },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { status: 415, code: 'unsupported_media_type' },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { status: 400, code: 'invalid_content_length' }
})

const VALIDATION_CODES: Readonly<Record<string, string>> = Object.freeze({
  required: 'missing_required_parameter',
  additionalProperties: 'unknown_parameter',
  type: 'invalid_type'
})

const isObject = (value: unknown): value is Obj => typeof value === 'object' && value !== null

function text (value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined
}

function causes (error: Obj): Obj[] {
  const chain: Obj[] = []
  let current: unknown = error
  while (isObject(current) && chain.length < 5 && !chain.includes(current)) {
    chain.push(current)
    current = current.cause
  }
  return chain
}

function connectionStatus (error: Obj): number | undefined {
  for (const link of causes(error)) {
    if (TIMEOUT_NAMES.has(link.name) || TIMEOUT_CODES.has(link.code)) return 504
    if (CONNECTION_NAMES.has(link.name) || CONNECTION_CODES.has(link.code)) return 502
  }
  return undefined
}

/** `/messages/0/role` -> `messages[0].role`, the way OpenAI names a parameter. */
function paramPath (pointer: string, extra: unknown): string | null {
  const parts = pointer.split('/').filter((part) => part !== '')
  if (typeof extra === 'string' && extra !== '') parts.push(extra)
  let path = ''
  for (const part of parts) path += /^\d+$/.test(part) ? `[${part}]` : (path === '' ? part : `.${part}`)
  return path === '' ? null : path
}

function fromValidation (error: Obj): ThrownDecision {
  const first: Obj = Array.isArray(error.validation) && isObject(error.validation[0]) ? error.validation[0] : {}
  const params: Obj = isObject(first.params) ? first.params : {}
  const pointer = text(first.instancePath) ?? ''
  return {
    status: 400,
    message: text(error.message) ?? 'Invalid request.',
    type: 'invalid_request_error',
    code: VALIDATION_CODES[first.keyword] ?? 'invalid_value',
    param: paramPath(pointer, params.missingProperty ?? params.additionalProperty),
    upstream: false
  }
}

/** The error envelope an SDK error carries from the upstream's body, whichever SDK threw it. */
function sdkEnvelope (error: Obj): Envelope | null {
  // openai and @anthropic-ai/sdk: `error` holds the body's `error` member (openai) or the whole body (anthropic).
  if (isObject(error.error)) return findEnvelope(error.error) ?? findEnvelope({ error: error.error })
  // The AI SDK's APICallError keeps the raw body text.
  if (typeof error.responseBody === 'string' && error.responseBody.length <= 65536) {
    try {
      return findEnvelope(JSON.parse(error.responseBody))
    } catch {
      return null
    }
  }
  return null
}

function isSdkError (error: Obj): boolean {
  return ('headers' in error && 'error' in error) || error.name === 'AI_APICallError' || 'responseBody' in error
}

function finish (status: number, type: string | undefined, code: unknown, message: string | undefined, param: unknown, expose: boolean, upstream: boolean): ThrownDecision {
  return {
    status,
    message: status >= 500 && !expose ? serverMessage(status) : (message ?? serverMessage(status)),
    type: type ?? typeForStatus(status),
    code: typeof code === 'number' ? String(code) : (text(code) ?? null),
    param: text(param) ?? null,
    upstream
  }
}

/**
 * The OpenAI-shaped answer for anything a route, a hook or an upstream client threw. 4xx messages are
 * the client's to read; a 5xx gets a generic message unless the error is marked `expose: true`.
 */
export function describeThrown (thrown: unknown): ThrownDecision {
  const error: Obj = isObject(thrown) ? thrown : { message: String(thrown) }
  // The AI SDK's RetryError wraps the last attempt's error.
  if (error.name === 'AI_RetryError' && isObject(error.lastError)) return describeThrown(error.lastError)
  if (Array.isArray(error.validation)) return fromValidation(error)

  const ours: Obj | undefined = isObject(error.openai) ? error.openai : undefined
  const fastify = typeof error.code === 'string' ? FASTIFY_ERRORS[error.code] : undefined
  if (fastify !== undefined) {
    return finish(fastify.status, undefined, fastify.code, fastify.message ?? text(error.message), null, true, false)
  }

  const declared = statusHint(error.statusCode) ?? statusHint(error.status)
  if (isSdkError(error)) {
    const envelope = sdkEnvelope(error)
    const status = declared ?? connectionStatus(error) ?? 502
    return finish(status, envelope?.type ?? text(error.type), envelope?.code ?? error.code, envelope?.message ?? text(error.message),
      envelope?.param ?? error.param, error.expose === true, true)
  }
  if (declared !== undefined) {
    const expose = error.expose === true || (declared < 500 && error.expose !== false)
    const code = ours?.code ?? (typeof error.code === 'string' && !error.code.startsWith('FST_') ? error.code : undefined)
    return finish(declared, text(ours?.type), code, text(error.message), ours?.param, expose, false)
  }
  const connection = connectionStatus(error)
  if (connection !== undefined) {
    return finish(connection, undefined, connection === 504 ? 'upstream_timeout' : 'upstream_unavailable', undefined, null, false, true)
  }
  return finish(500, undefined, null, undefined, null, error.expose === true, false)
}
