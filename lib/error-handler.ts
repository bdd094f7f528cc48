import type { FastifyReply, FastifyRequest } from 'fastify'
import { JSON_CONTENT_TYPE } from './body'
import { classifyEnvelope } from './classify'
import { errorBody } from './dialect'
import { normaliseOptions, type Settings } from './options'
import { notify, setRetryHeaders, type Outcome } from './respond'
import { lateRouteSettings, settingsOf } from './route-settings'
import { kBuiltByPlugin } from './symbols'
import { describeThrown, type ThrownDecision } from './thrown'

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
    return classifyEnvelope(decision.envelope, settings.table)
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

/** The error handler with settings already normalised: the plugin's own. */
export function errorHandlerFor (base: Settings, late = lateRouteSettings(base)): ErrorHandler {
  return function openaiErrorHandler (error, request, reply) {
    // Per-route settings: an error from an application-wide onRequest hook arrives before the route's own
    // hook set them, so fall back to reading the route config.
    const settings = settingsOf(request) ?? late(request) ?? base
    if (!settings.enabled) throw error
    const decision = describeThrown(error)
    const outcome = outcomeFor(settings, decision, request)
    notify(settings, request, 'error-handler', null, outcome)
    if (settings.reportOnly) throw error
    if (decision.status >= 500) {
      reply.log.error({ err: error, statusCode: decision.status }, 'request failed')
    } else {
      reply.log.info({ err: error, statusCode: decision.status }, 'request rejected')
    }
    if (decision.headers !== null) reply.headers(decision.headers)
    if (settings.retryHints) setRetryHeaders(reply, outcome, upstreamHeaders(error))
    ;(reply as unknown as Record<symbol, boolean>)[kBuiltByPlugin] = true
    reply.code(decision.status).header('content-type', JSON_CONTENT_TYPE).send(errorBody(settings.dialect, request.url, decision.status, decision))
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
