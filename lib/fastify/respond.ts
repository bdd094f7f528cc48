import type { FastifyReply, FastifyRequest } from 'fastify'
import type { NormalizeEvent, Settings } from '../settings/options'
import type { Decision } from '../types'
import type { DecisionMessage } from '../../index'
import { decisionChannel } from '../observe/channel'
import { markSpan, otelApi, spanFor, type OtelApi } from '../observe/otel'
import { providerOf } from '../core/provider'
import { RETRY_STATUSES, retryDelayFromHeaders, retryHeaders } from '../core/retry'

// Carrying out a decision on a reply: status, the headers that tell clients what happened and what to do,
// the event for observers, and report-only mode, where nothing changes but the log.

/**
 * What is carried out: a Decision as it is (no copy on the error path), or what the error handler makes of a
 * thrown error, which names its provider. A decision's provider, for observers, is worked out only when
 * someone reads the event, from the deciding rule and the body's shape.
 */
export type Outcome = Pick<Decision, 'status' | 'rule' | 'type' | 'code' | 'retryable' | 'retryAfterMs'> &
({ shape: string } | { provider: string | null })

/**
 * Tell the observers of a decision: the request's OpenTelemetry span, the diagnostics channel's subscribers,
 * the `onNormalize` callback and, in report-only mode, the log. The event is built only when one of them is
 * there. An `onNormalize` that throws is logged, never allowed to break the response.
 */
export function notify (settings: Settings, request: FastifyRequest, source: NormalizeEvent['source'], originalStatus: number | null, outcome: Outcome): void {
  const otel = otelApi()
  // With @opentelemetry/api installed but no span to mark (no tracer set up), the event is not built either.
  const span = otel === null ? undefined : spanFor(otel, request)
  if (settings.onNormalize === null && !settings.reportOnly && span === undefined && !decisionChannel.hasSubscribers) return
  const event: NormalizeEvent = {
    source,
    method: request.method,
    url: request.url,
    route: request.routeOptions.url,
    originalStatus,
    status: outcome.status,
    rule: outcome.rule,
    provider: 'provider' in outcome ? outcome.provider : providerOf(outcome.rule, outcome.shape),
    type: outcome.type,
    code: outcome.code,
    reportOnly: settings.reportOnly
  }
  if (span !== undefined) markSpan(otel as OtelApi, span, event, outcome.retryable)
  if (decisionChannel.hasSubscribers) {
    const message: DecisionMessage = { ...event, retryable: outcome.retryable, request }
    decisionChannel.publish(message)
  }
  if (settings.reportOnly) request.log.info({ openaiErrors: event }, 'fastify-openai-errors: report only, response left as it was')
  if (settings.onNormalize === null) return
  try {
    settings.onNormalize(event)
  } catch (error) {
    request.log.error({ err: error }, 'fastify-openai-errors: onNormalize threw')
  }
}

/**
 * `x-should-retry` when the table says whether retrying helps; on 429/503/529 a wait in `retry-after` and
 * `retry-after-ms`, from the upstream's headers when it sent them, else from its message. Never invented.
 */
export function setRetryHeaders (reply: FastifyReply, outcome: Outcome, upstreamHeader: (name: string) => unknown): void {
  if (outcome.retryable !== null) reply.header('x-should-retry', String(outcome.retryable))
  if (!RETRY_STATUSES.has(outcome.status) || outcome.retryable === false) return
  const delay = retryDelayFromHeaders(upstreamHeader) ?? outcome.retryAfterMs
  if (delay !== null) reply.headers(retryHeaders(delay))
}

/**
 * Give the reply the decided status (a response body or stream that was an error). Returns false in
 * report-only mode, where the response must go out as it came.
 */
export function applyToResponse (settings: Settings, request: FastifyRequest, reply: FastifyReply, source: 'body' | 'stream', outcome: Outcome): boolean {
  const original = reply.statusCode
  notify(settings, request, source, original, outcome)
  if (settings.reportOnly) return false
  reply.code(outcome.status)
  if (settings.upstreamStatusHeader !== null) reply.header(settings.upstreamStatusHeader, String(original))
  if (settings.retryHints) setRetryHeaders(reply, outcome, (name) => reply.getHeader(name))
  return true
}
