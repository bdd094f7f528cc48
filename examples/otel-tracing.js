'use strict'

// OpenTelemetry tracing. A proxy gateway (proxy-gateway.js cut to its core: @fastify/reply-from in front of an
// OpenAI-compatible upstream) with @fastify/otel registered first. When the plugin changes a status, it records
// its decision on @fastify/otel's request span (the attributes in docs/observability.md) and sets the span's status
// to ERROR; a success leaves the span as @fastify/otel made it. There is nothing to configure: the plugin finds
// @opentelemetry/api where the app installed it.
//
//   npm install @fastify/otel @opentelemetry/api @opentelemetry/sdk-trace-base @opentelemetry/sdk-trace-node @fastify/reply-from
//   UPSTREAM_URL=http://localhost:4000 node examples/otel-tracing.js
//   curl -i localhost:3000/v1/chat/completions -H 'content-type: application/json' \
//     -d '{"model":"totally-nonexistent-model-xyz","messages":[{"role":"user","content":"hi"}]}'
//
// Run as a script, it prints every finished span on the console (ConsoleSpanExporter), the request span with:
//
//   attributes: {
//     'fastify.root': '@fastify/otel',
//     'http.request.method': 'POST',
//     'url.path': '/v1/chat/completions',
//     'http.route': '/v1/*',
//     'openai_errors.status': 404,
//     'openai_errors.rule': 'litellm.no-models-available',
//     'openai_errors.source': 'stream',
//     'openai_errors.report_only': false,
//     'openai_errors.original_status': 200,
//     'openai_errors.provider': 'litellm',
//     'http.response.status_code': 404
//   },
//   status: { code: 2, message: 'fastify-openai-errors: litellm.no-models-available' },
//
// and logs one line per decision, heard on the `fastify-openai-errors:decision` diagnostics channel (what an APM
// agent would subscribe to):
//
//   {"level":30,...,"reqId":"req-1","openaiErrors":{"originalStatus":200,"status":404,"rule":"litellm.no-models-available",
//    "provider":"litellm","retryable":null},"msg":"fastify-openai-errors decision"}
//
// In production, register a provider with a BatchSpanProcessor and your exporter
// (OTLP...) instead, or let @opentelemetry/sdk-node do it: build() then uses the global provider.

const diagnosticsChannel = require('node:diagnostics_channel')
const Fastify = require('fastify')
const replyFrom = require('@fastify/reply-from')
const { FastifyOtelInstrumentation } = require('@fastify/otel')
const openaiErrors = require('fastify-openai-errors')

const DEFAULT_UPSTREAM_URL = 'http://127.0.0.1:4000'
const PREFIX = '/v1/'

/**
 * Its own small gateway rather than basic-gateway.js's build: @fastify/otel goes on the instance before the plugin
 * and the routes, and basic-gateway.js registers the plugin as soon as it makes its instance.
 * @param {object} [opts]
 * @param {string} [opts.upstreamUrl] defaults to UPSTREAM_URL, then http://127.0.0.1:4000
 * @param {import('@opentelemetry/api').TracerProvider} [opts.provider] the provider to make spans with (tests pass
 *   one with an in-memory exporter); defaults to the global one, which the script registers
 * @param {object} [opts.openaiErrors] options for the plugin
 * @param {boolean|object} [opts.logger]
 */
async function build (opts = {}) {
  const upstreamUrl = (opts.upstreamUrl ?? process.env.UPSTREAM_URL ?? DEFAULT_UPSTREAM_URL).replace(/\/+$/, '') + '/'
  const instrumentation = new FastifyOtelInstrumentation()
  if (opts.provider !== undefined) instrumentation.setTracerProvider(opts.provider)

  const app = Fastify({ logger: opts.logger ?? false })
  // First: it instruments the hooks and routes added after it, so the plugin's onSend hook and the handler get spans
  // of their own under the request span (the plugin marks the request span, not its hook's).
  await app.register(instrumentation.plugin())
  await app.register(openaiErrors, opts.openaiErrors ?? {})
  // reply-from does not check the upstream's TLS certificate unless told to; this gateway sends API keys.
  await app.register(replyFrom, { base: upstreamUrl, undici: { tls: { rejectUnauthorized: true } } })
  app.route({
    method: ['GET', 'POST', 'DELETE'],
    url: `${PREFIX}*`,
    handler (request, reply) {
      reply.from('./' + request.url.slice(PREFIX.length))
    }
  })
  return app
}

/** One log line per decision, from the diagnostics channel; the message carries the request, and so its logger. */
function logDecision ({ request, originalStatus, status, rule, provider, retryable }) {
  request.log.info({ openaiErrors: { originalStatus, status, rule, provider, retryable } }, 'fastify-openai-errors decision')
}

module.exports = { build, logDecision }

if (require.main === module) {
  const { ConsoleSpanExporter, SimpleSpanProcessor } = require('@opentelemetry/sdk-trace-base')
  const { NodeTracerProvider } = require('@opentelemetry/sdk-trace-node')
  // Global, once per process: the async-hooks context manager too, which keeps the hook spans under the request span.
  new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(new ConsoleSpanExporter())] }).register()
  diagnosticsChannel.subscribe(openaiErrors.DECISION_CHANNEL, logDecision)

  build({ logger: true }).then(async (app) => {
    const address = await app.listen({ port: Number(process.env.PORT ?? 3000), host: process.env.HOST ?? '127.0.0.1' })
    console.log(`gateway listening on ${address}, forwarding /v1/* to ${process.env.UPSTREAM_URL ?? DEFAULT_UPSTREAM_URL}`)
  }, (err) => {
    console.error(err)
    process.exitCode = 1
  })
}
