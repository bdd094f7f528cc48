import type { FastifyRequest } from 'fastify'
import type { Attributes, Span, SpanStatusCode, TraceAPI } from '@opentelemetry/api'
import type { NormalizeEvent } from '../settings/options'
import { requirePeer } from './peer'

// The decision on the request's span, when the host has @opentelemetry/api. Resolved once, at registration:
// a request never looks the API up, and without it nothing is done at all.

/** The part of @opentelemetry/api used here. */
export interface OtelApi {
  trace: Pick<TraceAPI, 'getActiveSpan'>
  SpanStatusCode: typeof SpanStatusCode
}

/** The attribute names a decision is recorded under. */
export const ATTRIBUTES = {
  originalStatus: 'openai_errors.original_status',
  status: 'openai_errors.status',
  rule: 'openai_errors.rule',
  provider: 'openai_errors.provider',
  retryable: 'openai_errors.retryable',
  source: 'openai_errors.source',
  reportOnly: 'openai_errors.report_only'
} as const

// undefined until the first registration resolves it; null when the host has no @opentelemetry/api.
let resolved: OtelApi | null | undefined

/** @opentelemetry/api as the host installed it, or null. */
export function loadOtel (from: NodeJS.Require = require): OtelApi | null {
  return requirePeer<OtelApi>('@opentelemetry/api', from)
}

/** Resolve the API once per process, at the plugin's first registration; later ones keep what it found. */
export function resolveOtel (from: NodeJS.Require = require): void {
  if (resolved === undefined) resolved = loadOtel(from)
}

/** The API resolved at registration, or null. */
export function otelApi (): OtelApi | null {
  return resolved ?? null
}

// @fastify/otel's `request.opentelemetry()`: its request span, the one a user sees. During hooks the active span
// is the hook's own child span, so the request span is asked for first.
type WithFastifyOtel = FastifyRequest & { opentelemetry?: () => { span: Span | null } }

/** The span a decision belongs on: @fastify/otel's request span, else the active one (an HTTP server span...). */
export function spanFor (api: OtelApi, request: FastifyRequest): Span | undefined {
  const own = (request as WithFastifyOtel).opentelemetry
  const span = typeof own === 'function' ? own.call(request).span : null
  return span ?? api.trace.getActiveSpan()
}

/** The decision as span attributes; the ones with no value (a thrown error's original status...) are left out. */
export function attributesOf (event: NormalizeEvent, retryable: boolean | null): Attributes {
  const attributes: Attributes = {
    [ATTRIBUTES.status]: event.status,
    [ATTRIBUTES.rule]: event.rule,
    [ATTRIBUTES.source]: event.source,
    [ATTRIBUTES.reportOnly]: event.reportOnly
  }
  if (event.originalStatus !== null) attributes[ATTRIBUTES.originalStatus] = event.originalStatus
  if (event.provider !== null) attributes[ATTRIBUTES.provider] = event.provider
  if (retryable !== null) attributes[ATTRIBUTES.retryable] = retryable
  return attributes
}

/** Record the decision on the request's span and mark it failed: the request is an error, whatever its upstream said. */
export function markSpan (api: OtelApi, span: Span, event: NormalizeEvent, retryable: boolean | null): void {
  span.setAttributes(attributesOf(event, retryable))
  span.setStatus({ code: api.SpanStatusCode.ERROR, message: `fastify-openai-errors: ${event.rule}` })
}
