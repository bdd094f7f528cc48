import type { Envelope, EnvelopeShape, Extractor, ExtractedError } from '../types'
import { canonicalName, grpcName } from './names'

// Pure: a parsed response body -> the error envelope it holds, or null when it holds none. Each body shape is one
// extractor; each names the keys that mark it (`marks`), from which the byte gate that runs before any parse is built.

type Obj = Record<string, unknown>

// How deep we follow a message that is itself an envelope (an object or a JSON string of one).
const MAX_NESTING = 3
const MAX_NESTED_JSON_CHARS = 16384

// The keys under which a body or its error object states an HTTP status, in the order they are trusted.
export const STATUS_KEYS = ['code', 'status', 'statusCode', 'status_code', 'http_code', 'httpCode', 'httpStatus', 'http_status', 'raw_status_code'] as const

// Values of `code` that mean success in the many APIs that send one with every answer.
const SUCCESS_CODES = new Set<unknown>([0, '0', 200, '200', 'ok', 'OK', 'Ok', 'success', 'Success', 'SUCCESS'])
// Values of a string `status` that say the body is a failure (Portkey's `"status":"failure"`), not a state of its own
// (a job that `failed` is a resource in that state).
const FAILURE_STATES = new Set(['error', 'failure', 'fail'])
// A state is a word ("failed", "in_progress"); `"status": "1300"` is a code, not a state.
const STATE = /^[A-Za-z][A-Za-z _-]{0,40}$/

export function isObject (value: unknown): value is Obj {
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

/** The first status claimed under one of the status keys of `object`, with the key it came from. */
function claimIn (object: Obj, prefix: string): { status: number, from: string } | undefined {
  for (const key of STATUS_KEYS) {
    const status = statusHint(object[key])
    if (status !== undefined) return { status, from: prefix + key }
  }
  return undefined
}

/** A value that is there: not undefined, not null. */
const present = (value: unknown): boolean => value !== undefined && value !== null

// A body with one of these holding something is a resource (a completion, a list, a job's output), whatever
// else it carries: an OpenAI Responses object or a failed fine-tuning job has `error` as a field of its own state.
const RESOURCE_KEYS = ['choices', 'data', 'output', 'results', 'result', 'candidates', 'usage', 'content', 'embedding', 'embeddings']

/** A resource: a known `object` or `type` kind, a key that holds output, or a `status` of its own beside an `error`. */
export function isResource (body: Obj): boolean {
  if (body.object !== undefined && body.object !== 'error') return true
  if (typeof body.type === 'string' && body.type !== 'error' && isObject(body.error)) return true
  for (const key of RESOURCE_KEYS) {
    if (present(body[key])) return true
  }
  // A job or a health check reports its state in `status` ("failed", "degraded", "QUEUED"): its `error` or
  // `errors` are part of that state.
  return typeof body.status === 'string' && STATE.test(body.status) && (body.error !== undefined || body.errors !== undefined) &&
    !FAILURE_STATES.has(body.status.toLowerCase())
}

interface Parts {
  message: string
  type?: string
  code?: string | number
  param?: string | null
  statusName?: string
  claim?: { status: number, from: string }
  /** The claim is the error object's own (strong), not a key beside it at the top of the body. */
  claimIsOwn?: boolean
  weak?: boolean
}

function envelope (shape: EnvelopeShape, parts: Parts): Envelope {
  return {
    shape,
    message: parts.message,
    type: parts.type,
    code: parts.code,
    param: parts.param ?? null,
    statusName: parts.statusName,
    hint: parts.claim?.status,
    hintFrom: parts.claim?.from,
    hintStrong: parts.claim !== undefined && parts.claimIsOwn === true,
    weak: parts.weak ?? false
  }
}

/** The status claim an envelope carries, as the builder took it. */
function claimOf (found: Envelope): Parts['claim'] {
  return found.hint === undefined ? undefined : { status: found.hint, from: found.hintFrom as string }
}

/** The canonical status name an error object carries: `status: "NOT_FOUND"`, a code that is a name or its description. */
function statusNameOf (error: Obj, google: boolean): string | undefined {
  if (typeof error.status === 'string') {
    const name = canonicalName(error.status)
    if (name !== undefined) return name
  }
  if (typeof error.code === 'string') return canonicalName(error.code)
  // A numeric code is gRPC's only in Google's shape (`status` beside it); elsewhere 5 is just a provider's number.
  return google ? grpcName(error.code) : undefined
}

/** The envelope a message carries when the message is itself an error object or a JSON string of one. */
function nestedEnvelope (message: unknown, depth: number, extractors: readonly Extractor[]): Envelope | null {
  if (depth >= MAX_NESTING) return null
  if (isObject(message)) return findAt(message, depth + 1, extractors) ?? fromErrorObject('openai', message, {}, '', depth + 1, extractors)
  if (typeof message === 'string' && message.length <= MAX_NESTED_JSON_CHARS) {
    const trimmed = message.trim()
    if (trimmed.charCodeAt(0) === 0x7b /* { */ && trimmed.charCodeAt(trimmed.length - 1) === 0x7d /* } */) {
      try {
        return findAt(JSON.parse(trimmed), depth + 1, extractors)
      } catch {
        return null
      }
    }
  }
  return null
}

function fromErrorObject (shape: EnvelopeShape, error: Obj, body: Obj, path: string, depth: number, extractors: readonly Extractor[]): Envelope | null {
  // `{"error":{"code":0,"message":"success"}}`: code 0 is success in many APIs.
  if ((error.code === 0 || error.code === '0') && error.type === undefined) return null
  const rawMessage = error.message ?? error.msg ?? error.detail ?? error.error_message ?? error.errorMessage
  const inner = nestedEnvelope(rawMessage, depth, extractors)
  const message = inner?.message ?? text(rawMessage) ?? (typeof error.error === 'string' ? error.error : '')
  const type = text(error.type) ?? inner?.type
  const code = codeOf(error.code) ?? inner?.code
  const google = typeof error.status === 'string'
  const statusName = statusNameOf(error, google) ?? inner?.statusName
  if (message === '' && type === undefined && code === undefined && statusName === undefined && !isObject(rawMessage)) return null
  const own = claimIn(error, path)
  const claim = own ?? (body === error ? undefined : claimIn(body, ''))
  return envelope(google && shape === 'openai' ? 'google' : shape, {
    message,
    type,
    code,
    param: text(error.param) ?? inner?.param ?? null,
    statusName,
    claim: claim ?? (inner === null ? undefined : claimOf(inner)),
    claimIsOwn: own !== undefined || (claim === undefined && inner?.hintStrong === true)
  })
}

// ---- the built-in extractors, most specific shape first ----

// The flat and Anthropic shapes are named by the value "error" of `object`/`type`, which the gate always admits.
const anthropic: Extractor = {
  name: 'anthropic',
  marks: ['error'],
  extract: (body, context) => body.type === 'error' && isObject(body.error) ? fromErrorObject('anthropic', body.error, body, 'error.', context.depth, context.extractors) : null
}

// vLLM/Mistral `object: "error"`, and the Responses API stream's `{"type":"error","code","message"}`.
const flat: Extractor = {
  name: 'flat',
  marks: ['error'],
  extract: (body, context) => body.object === 'error' || (body.type === 'error' && body.error === undefined)
    ? fromErrorObject('flat', body, body, '', context.depth, context.extractors)
    : null
}

const openai: Extractor = {
  name: 'openai',
  marks: ['error'],
  extract: (body, context) => isObject(body.error) ? fromErrorObject('openai', body.error, body, 'error.', context.depth, context.extractors) : null
}

// Ollama, TGI, Fastify: `{"error": "..."}`, with the type beside it (`error_type`) and Fastify's detail in `message`.
const stringError: Extractor = {
  name: 'string',
  marks: ['error'],
  extract: (body) => {
    const error = body.error
    if (typeof error !== 'string' || error.trim() === '') return null
    return envelope('string', {
      message: text(body.message) ?? text(body.detail) ?? error,
      type: text(body.error_type) ?? text(body.type),
      code: codeOf(body.code) ?? codeOf(body.error_code),
      claim: claimIn(body, ''),
      claimIsOwn: true
    })
  }
}

// Hugging Face's `{"error": ["Error in `inputs`: field required"]}`: a list of messages.
const errorList: Extractor = {
  name: 'error-list',
  marks: ['error'],
  extract: (body) => {
    const error = body.error
    if (!Array.isArray(error) || error.length === 0 || !error.every((item) => typeof item === 'string')) return null
    return envelope('string', { message: (error as string[]).join('; '), claim: claimIn(body, ''), claimIsOwn: true })
  }
}

// `{"errors": [{"code","message"}]}` (watsonx, Cloudflare's `{"success":false,"errors":[...]}`): the first error speaks.
const errorsArray: Extractor = {
  name: 'errors',
  marks: ['errors'],
  extract: (body, context) => {
    const errors = body.errors
    if (!Array.isArray(errors) || errors.length === 0 || body.success === true) return null
    const first = errors[0]
    if (typeof first === 'string') return envelope('errors', { message: first, claim: claimIn(body, ''), claimIsOwn: true })
    if (!isObject(first)) return null
    const found = fromErrorObject('errors', first, body, 'errors[0].', context.depth, context.extractors)
    return found === null ? null : { ...found, hintStrong: true }
  }
}

// FastAPI's `{"detail": "Not Found"}` and `{"detail": {"msg", "type"}}` (KoboldCpp), and its 422 validation list.
const detail: Extractor = {
  name: 'detail',
  marks: ['detail'],
  extract: (body, context) => {
    const value = body.detail
    if (body.title !== undefined || body.status !== undefined) return null
    if (typeof value === 'string' && Object.keys(body).length === 1) return envelope('detail', { message: value, weak: true })
    if (isObject(value)) return fromErrorObject('detail', value, body, 'detail.', context.depth, context.extractors)
    if (Array.isArray(value) && value.length > 0 && isObject(value[0]) && typeof value[0].msg === 'string' && Array.isArray(value[0].loc)) {
      return envelope('detail', { message: value[0].msg, type: 'validation_error', param: value[0].loc.map(String).join('.'), claim: { status: 422, from: 'detail[0].loc' }, claimIsOwn: true })
    }
    return null
  }
}

// RFC 9457 problem details (`application/problem+json`; NVIDIA NIM, Replicate, Llama Stack): its `status` is the
// status of the answer by definition.
const problem: Extractor = {
  name: 'problem',
  marks: ['title', 'detail'],
  extract: (body) => {
    const status = statusHint(body.status)
    const title = text(body.title)
    const message = text(body.detail) ?? title
    if (message === undefined || (status === undefined && (title === undefined || text(body.detail) === undefined))) return null
    return envelope('problem', { message, type: title, code: codeOf(body.code), claim: status === undefined ? undefined : { status, from: 'status' }, claimIsOwn: true })
  }
}

// `{"code": "InvalidApiKey", "message": "..."}` (DashScope, SiliconFlow, Novita, Databricks' `error_code`, Baidu's
// `error_msg`): a code that is not one of success, with a message and nothing of a resource.
const codeAndMessage: Extractor = {
  name: 'code',
  marks: ['code', 'error_code', 'errorCode', 'error_msg', 'error_message', 'errorMessage'],
  extract: (body) => {
    const message = text(body.message) ?? text(body.msg) ?? text(body.error_msg) ?? text(body.error_message) ?? text(body.errorMessage)
    const code = codeOf(body.error_code) ?? codeOf(body.errorCode) ?? codeOf(body.code)
    if (message === undefined) return null
    // `{"statusCode": 401, "message"}` (Azure API Management): the status claim is the code.
    const claimOnly = code === undefined && claimIn(body, '') !== undefined
    if (code === undefined ? body.error_msg === undefined && body.error_message === undefined && !claimOnly : SUCCESS_CODES.has(code)) return null
    return envelope('code', { message, type: text(body.type) ?? text(body.reason), code, param: text(body.param) ?? null, statusName: typeof code === 'string' ? canonicalName(code) : undefined, claim: claimIn(body, ''), claimIsOwn: true })
  }
}

// `{"status": "failure", "message": "..."}` (Portkey) and `{"success": false, "message": "..."}`.
const failureState: Extractor = {
  name: 'failure',
  marks: ['status:"', 'success'],
  extract: (body) => {
    const message = text(body.message) ?? text(body.msg)
    const failed = (typeof body.status === 'string' && FAILURE_STATES.has(body.status.toLowerCase())) || body.success === false
    return message !== undefined && failed ? envelope('failure', { message, type: text(body.type), code: codeOf(body.code) }) : null
  }
}

// An error type that says so: `..._error`, `...Exception`, or a word of failure.
const ERROR_TYPE = /(?:error|exception|exceeded|invalid|overloaded|unavailable|denied|forbidden|failed|unauthori[sz]ed|not_?found|limit)/i
const FLAT_KEYS = new Set(['message', 'type', 'param', 'code', 'request_id', 'requestId', 'error_type'])

// `{"message": "...", "type": "too_many_requests_error", "param", "code"}` without `object: "error"` (Cerebras, TEI).
// A type that names no failure (TEI's `"type":"backend"`) makes only a weak envelope: a rule must know it.
const typedMessage: Extractor = {
  name: 'typed-message',
  marks: ['message:"'],
  extract: (body) => {
    const message = text(body.message)
    const type = text(body.type) ?? text(body.error_type)
    if (message === undefined || type === undefined || type.length > 100) return null
    if (!Object.keys(body).every((key) => FLAT_KEYS.has(key))) return null
    const weak = !ERROR_TYPE.test(type)
    if (weak && Object.keys(body).length !== 2) return null
    return envelope('flat', { message, type, code: codeOf(body.code), param: text(body.param) ?? null, claim: claimIn(body, ''), claimIsOwn: true, weak })
  }
}

// AWS-style bodies (Bedrock, API Gateway) and Cohere's `{"id","message"}` are a bare message; only a rule that
// recognises the message may remap them.
const BARE_MESSAGE_KEYS = new Set(['message', 'Message', 'request_id', 'requestId', '__type', 'id'])
const bareMessage: Extractor = {
  name: 'message',
  marks: ['message:"', 'Message:"', '__type'],
  extract: (body) => {
    const message = text(body.message) ?? text(body.Message)
    // Keys that hold nothing (`"data": null`, SiliconFlow) say nothing either way.
    if (message === undefined || !Object.keys(body).every((key) => BARE_MESSAGE_KEYS.has(key) || body[key] === null)) return null
    return envelope('message', { message, type: text(body.__type), weak: true })
  }
}

/** The built-in shapes, tried in this order after any the user adds. */
export const builtinExtractors: readonly Extractor[] = Object.freeze([
  anthropic, flat, openai, stringError, errorList, errorsArray, problem, detail, codeAndMessage, failureState, typedMessage, bareMessage
])
const BUILTIN = new WeakSet<Extractor>(builtinExtractors)

/** What a user extractor returned, checked and made an envelope. */
function fromUser (name: string, found: ExtractedError): Envelope | null {
  if (!isObject(found) || typeof found.message !== 'string') return null
  const status = statusHint(found.status)
  return envelope('custom', {
    message: found.message,
    type: text(found.type),
    code: codeOf(found.code),
    param: text(found.param) ?? null,
    statusName: typeof found.statusName === 'string' ? canonicalName(found.statusName) : undefined,
    claim: status === undefined ? undefined : { status, from: name },
    claimIsOwn: true
  })
}

function findAt (body: unknown, depth: number, extractors: readonly Extractor[]): Envelope | null {
  if (Array.isArray(body)) {
    // Vertex AI answers some errors as an array of Google envelopes.
    return body.length > 0 && isObject(body[0]) && body[0].error !== undefined ? findAt(body[0], depth, extractors) : null
  }
  if (!isObject(body) || isResource(body)) return null
  for (const extractor of extractors) {
    const found = extractor.extract(body, { depth, extractors })
    if (found === null || found === undefined) continue
    return BUILTIN.has(extractor) ? found as Envelope : fromUser(extractor.name, found)
  }
  return null
}

/**
 * The error envelope in a parsed response body, or null when the body is not an error: OpenAI `{error:{...}}`,
 * Anthropic `{type:"error",error:{...}}`, flat `{object:"error",...}`, Google `{error:{code,status,message}}` and
 * arrays of it, `{error:"..."}`, `{errors:[...]}`, problem details, FastAPI's `detail`, `{code,message}`,
 * `{status:"failure",message}` and a bare `{message}` (weak). Resources that carry an `error` field are not envelopes.
 */
export function findEnvelope (body: unknown, extractors: readonly Extractor[] = builtinExtractors): Envelope | null {
  return findAt(body, 0, extractors)
}
