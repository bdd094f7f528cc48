import { STATUS_CODES } from 'node:http'
import { findEnvelope, statusHint } from './extract'
import { typeForStatus } from './status-types'
import type { ThrownDecision } from '../../index'
import type { Envelope } from '../types'

/** What the error handler sends for a thrown error (index.d.ts). */
export type { ThrownDecision }

type Obj = Record<string, any>

// Messages for 5xx answers: what a client may know without learning anything about our internals.
const GENERIC_SERVER_MESSAGE = 'The server had an error while processing your request.'
const SERVER_MESSAGES: ReadonlyMap<number, string> = new Map([
  [501, 'This operation is not implemented.'],
  [502, 'The upstream service could not be reached or sent an invalid response.'],
  [503, 'The service is temporarily unavailable. Please retry.'],
  [504, 'The upstream service did not answer in time.'],
  [529, 'The service is overloaded. Please retry.']
])

export function serverMessage (status: number): string {
  return SERVER_MESSAGES.get(status) ?? GENERIC_SERVER_MESSAGE
}

// A 4xx without a message of its own gets the reason phrase, never the 5xx wording.
function clientMessage (status: number): string {
  return STATUS_CODES[status] ?? 'The request could not be processed.'
}

// Node, undici and fetch failures that mean "the upstream could not be reached" or "it took too long".
const CONNECTION_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'EPIPE', 'EHOSTUNREACH',
  'ENETUNREACH', 'ECONNABORTED', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED', 'ERR_STREAM_PREMATURE_CLOSE'])
const TIMEOUT_CODES = new Set(['ETIMEDOUT', 'ESOCKETTIMEDOUT', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT'])
// openai and @anthropic-ai/sdk class names; AbortSignal.timeout() rejects with a DOMException named TimeoutError.
const CONNECTION_NAMES = new Set(['APIConnectionError'])
const TIMEOUT_NAMES = new Set(['APIConnectionTimeoutError', 'TimeoutError'])

// Fastify's own request errors, with OpenAI's words for them.
const FASTIFY_ERRORS: ReadonlyMap<string, { status: number, message?: string, code: string }> = new Map([
  ['FST_ERR_CTP_INVALID_JSON_BODY', { status: 400, message: 'We could not parse the JSON body of your request. Please send valid JSON.', code: 'invalid_json' }],
  ['FST_ERR_CTP_EMPTY_JSON_BODY', { status: 400, message: 'The request body is empty. Please send a JSON body.', code: 'invalid_json' }],
  ['FST_ERR_CTP_BODY_TOO_LARGE', { status: 413, code: 'request_too_large' }],
  ['FST_ERR_CTP_INVALID_MEDIA_TYPE', { status: 415, code: 'unsupported_media_type' }],
  ['FST_ERR_CTP_INVALID_CONTENT_LENGTH', { status: 400, code: 'invalid_content_length' }]
])

// Ajv keywords -> OpenAI-style codes; any other keyword is `invalid_value`.
const VALIDATION_CODES: ReadonlyMap<unknown, string> = new Map([
  ['required', 'missing_required_parameter'],
  ['additionalProperties', 'unknown_parameter'],
  ['type', 'invalid_type']
])

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

// The openai SDK leaves `name` as 'Error' on its classes, so the class name is read too.
function namedAs (link: Obj, names: ReadonlySet<string>): boolean {
  return names.has(link.name) || names.has(link.constructor?.name)
}

function connectionStatus (error: Obj): number | undefined {
  for (const link of causes(error)) {
    if (namedAs(link, TIMEOUT_NAMES) || TIMEOUT_CODES.has(link.code)) return 504
    if (namedAs(link, CONNECTION_NAMES) || CONNECTION_CODES.has(link.code)) return 502
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
  const first: Obj = isObject(error.validation[0]) ? error.validation[0] : {}
  const params: Obj = isObject(first.params) ? first.params : {}
  return {
    status: 400,
    message: text(error.message) ?? 'Invalid request.',
    type: 'invalid_request_error',
    code: VALIDATION_CODES.get(first.keyword) ?? 'invalid_value',
    param: paramPath(text(first.instancePath) ?? '', params.missingProperty ?? params.additionalProperty),
    upstream: false,
    headers: null,
    envelope: null
  }
}

/** The error envelope an SDK error carries from the upstream's body, whichever SDK threw it. */
function sdkEnvelope (error: Obj): Envelope | null {
  // openai and @anthropic-ai/sdk: `error` holds the body's `error` member (openai; a string for Ollama- and
  // TGI-style bodies) or the whole body (anthropic).
  if (typeof error.error === 'string') return findEnvelope({ error: error.error })
  if (isObject(error.error)) {
    // A whole body (anthropic's, or one that nests its error) is read as one; a body's `error` member as that member.
    const whole = error.error.error !== undefined || error.error.type === 'error' || error.error.object === 'error'
    return whole ? findEnvelope(error.error) : findEnvelope({ error: error.error })
  }
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

// openai and @anthropic-ai/sdk APIError carry `headers` and `error`; the AI SDK's APICallError carries `responseBody`.
function isSdkError (error: Obj): boolean {
  return ('headers' in error && 'error' in error) || 'responseBody' in error
}

function finish (status: number, type: string | undefined, code: unknown, message: string | undefined, param: unknown, expose: boolean, upstream: boolean): ThrownDecision {
  const fallback = status >= 500 ? serverMessage(status) : clientMessage(status)
  return {
    status,
    message: status < 500 || expose ? (message ?? fallback) : fallback,
    type: type ?? typeForStatus(status),
    code: typeof code === 'number' ? String(code) : (text(code) ?? null),
    param: text(param) ?? null,
    upstream,
    headers: null,
    envelope: null
  }
}

function fromSdk (error: Obj, status: number): ThrownDecision {
  const envelope = sdkEnvelope(error)
  const expose = error.expose === true
  if (envelope === null) return finish(status, text(error.type), error.code, text(error.message), error.param, expose, true)
  return { ...finish(status, envelope.type, envelope.code, text(envelope.message), envelope.param, expose, true), envelope }
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

  const fastify = typeof error.code === 'string' ? FASTIFY_ERRORS.get(error.code) : undefined
  if (fastify !== undefined) {
    return finish(fastify.status, undefined, fastify.code, fastify.message ?? text(error.message), null, true, false)
  }

  const declared = statusHint(error.statusCode) ?? statusHint(error.status)
  // No status of its own, or a bare 500 (how @fastify/reply-from wraps ECONNRESET, UND_ERR_SOCKET and a refused
  // connection): a failed connection to an upstream is a 502/504, anything else a bug of ours.
  if (declared === undefined || declared === 500) {
    const connection = connectionStatus(error)
    if (connection !== undefined) {
      return finish(connection, undefined, connection === 504 ? 'upstream_timeout' : 'upstream_unavailable', undefined, null, false, true)
    }
  }
  // reply-from's own 502/503/504 around a connection failure: its status stands, and the code says what failed.
  if (declared !== undefined && declared >= 502 && declared <= 504 && connectionStatus(error) !== undefined) {
    return finish(declared, undefined, declared === 504 ? 'upstream_timeout' : 'upstream_unavailable', undefined, null, false, true)
  }
  // An SDK error without an HTTP status failed in a way we cannot name: still the upstream's fault.
  if (isSdkError(error)) return fromSdk(error, declared ?? 502)
  if (declared === undefined) return finish(500, undefined, null, text(error.message), null, error.expose === true, false)

  // http-errors, @fastify/error and our own openaiError(): the error says its status.
  const ours: Obj = isObject(error.openai) ? error.openai : {}
  const code = ours.code ?? (typeof error.code === 'string' && !error.code.startsWith('FST_') ? error.code : undefined)
  return {
    ...finish(declared, text(ours.type), code, text(error.message), ours.param, error.expose === true, false),
    headers: isObject(error.headers) ? error.headers : null
  }
}
