import type { FastifyReply, FastifyRequest, onErrorHookHandler } from 'fastify'
import { JSON_CONTENT_TYPE } from '../output/body'
import { classifyEnvelope } from '../core/table'
import { errorBody } from '../output/dialect'
import { normaliseOptions, type Settings } from '../settings/options'
import { notify, setRetryHeaders, type Outcome } from './respond'
import { lateRouteSettings, settingsOf } from './route-settings'
import { kBuiltByPlugin, kThrown } from './symbols'
import { describeThrown, type ThrownDecision } from '../core/thrown'

// `error` is unknown, as in Fastify's own setErrorHandler types: anything can be thrown, and a user's handler can
// delegate whatever it got without a cast.
export type ErrorHandler = (this: unknown, error: unknown, request: FastifyRequest, reply: FastifyReply) => void

type Obj = Record<string, any>

/** The headers of the upstream answer an SDK error carries: openai/anthropic `headers` (a Headers), the AI SDK's `responseHeaders`. */
function upstreamHeaders (error: unknown): (name: string) => unknown {
  const headers: unknown = (error as Obj | null)?.headers ?? (error as Obj | null)?.responseHeaders
  if (typeof headers !== 'object' || headers === null) return () => undefined
  if (typeof (headers as Headers).get === 'function') return (name) => (headers as Headers).get(name) ?? undefined
  return (name) => (headers as Obj)[name]
}

/** The table's decision for the upstream envelope a thrown error carries; null when it has none or a rule threw. */
function tableDecision (settings: Settings, decision: ThrownDecision, request: FastifyRequest): ReturnType<typeof classifyEnvelope> {
  if (decision.envelope === null) return null
  try {
    return classifyEnvelope(decision.envelope, settings.tableFor(request))
  } catch (error) {
    // A user rule threw: the error is still answered, from what it says itself.
    request.log.error({ err: error }, 'fastify-openai-errors: a rule threw; response sent as it came')
    return null
  }
}

/** What the table adds to a thrown error: whether retrying helps and how long to wait, when the upstream said so. */
function outcomeFor (settings: Settings, decision: ThrownDecision, request: FastifyRequest): Outcome {
  const table = tableDecision(settings, decision, request)
  const agrees = table !== null && table.status === decision.status
  return {
    status: decision.status,
    rule: agrees ? table.rule : 'thrown',
    type: decision.type,
    code: decision.code,
    retryable: agrees ? table.retryable : null,
    retryAfterMs: agrees ? table.retryAfterMs : null,
    provider: decision.upstream ? 'upstream' : null
  }
}

/**
 * Answer a thrown error on `reply`: its status, the headers it asks for and the retry hints are set, and the body
 * is returned for the caller to send. Null when the plugin is off here or only reports: the error is then left
 * to whoever would answer it without the plugin.
 */
export function answerThrown (settings: Settings, error: unknown, request: FastifyRequest, reply: FastifyReply): string | null {
  if (!settings.enabled) return null
  const decision = describeThrown(error)
  const outcome = outcomeFor(settings, decision, request)
  notify(settings, request, 'error-handler', null, outcome)
  if (settings.reportOnly) return null
  if (decision.headers !== null) reply.headers(decision.headers)
  if (settings.retryHints) setRetryHeaders(reply, outcome, upstreamHeaders(error))
  reply.code(decision.status).header('content-type', JSON_CONTENT_TYPE)
  return errorBody(settings.dialect, request.url, decision.status, decision)
}

/** What the onError hook keeps on a reply: the value thrown, boxed so that a thrown `null` is kept too. */
export interface Thrown { error: unknown }
type ReplyWithThrown = FastifyReply & { [kThrown]: Thrown | null }

/** The onError hook: keep what was thrown, for onSend to answer when Fastify's own handler is the one answering. */
export const keepThrown: onErrorHookHandler = function openaiErrorsOnError (_request, reply, error, done) {
  (reply as ReplyWithThrown)[kThrown] = { error }
  done()
}

export function thrownOf (reply: FastifyReply): Thrown | null {
  return (reply as ReplyWithThrown)[kThrown]
}

const FASTIFY_ERROR_KEYS = new Set(['statusCode', 'code', 'error', 'message'])

/**
 * Whether a payload is Fastify's own answer to the error thrown: what its default error handler sends (the error
 * serialized as `{statusCode, code, error, message}`, or a thrown string as it is). An app's own error handler
 * sends something else, and that is left as it is.
 */
export function isFastifyErrorAnswer (thrown: unknown, status: number, payload: unknown): boolean {
  if (typeof payload !== 'string') return false
  if (typeof thrown === 'string') return payload === thrown
  if (typeof thrown !== 'object' || thrown === null || !payload.startsWith('{"statusCode":')) return false
  let body: Record<string, unknown>
  try {
    body = JSON.parse(payload)
  } catch {
    return false
  }
  return body.statusCode === status && body.message === (thrown as { message?: unknown }).message &&
    Object.keys(body).every((key) => FASTIFY_ERROR_KEYS.has(key))
}

/** The error handler with settings already normalised, for `createErrorHandler()`. */
export function errorHandlerFor (base: Settings, late = lateRouteSettings(base)): ErrorHandler {
  return function openaiErrorHandler (error, request, reply) {
    // Per-route settings: an error from an application-wide onRequest hook arrives before the route's own
    // hook set them, so fall back to reading the route config.
    const settings = settingsOf(request) ?? late(request) ?? base
    const body = answerThrown(settings, error, request, reply)
    if (body === null) throw error
    if (reply.statusCode >= 500) {
      reply.log.error({ err: error, statusCode: reply.statusCode }, 'request failed')
    } else {
      reply.log.info({ err: error, statusCode: reply.statusCode }, 'request rejected')
    }
    ;(reply as unknown as Record<symbol, boolean>)[kBuiltByPlugin] = true
    reply.send(body)
  }
}

/**
 * An error handler that answers every thrown error with an OpenAI-shaped body (Anthropic-shaped on the
 * Messages API) and the status that matches it. Exported so users can call it from their own handler; it
 * takes the plugin's options. On a route with `config: { openaiErrors: false }`, and in report-only mode,
 * it rethrows, handing the error to Fastify's parent handler.
 */
export function createErrorHandler (options?: unknown): ErrorHandler {
  return errorHandlerFor(normaliseOptions(options).settings)
}
