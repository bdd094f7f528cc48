import type { InMemorySpanExporter, ReadableSpan } from '@opentelemetry/sdk-trace-base'

// Reading what the plugin put on OpenTelemetry spans, for the tracing tests and the tracing example's.

/** The request spans @fastify/otel has ended so far. */
export function requestSpans (exporter: InMemorySpanExporter): ReadableSpan[] {
  return exporter.getFinishedSpans().filter((span) => span.name === 'request' && span.attributes['fastify.root'] === '@fastify/otel')
}

/** The `openai_errors.*` attributes of a span: the decision, when one was made. */
export function decisionAttributes (span: ReadableSpan): Record<string, unknown> {
  return Object.fromEntries(Object.entries(span.attributes).filter(([name]) => name.startsWith('openai_errors.')))
}
