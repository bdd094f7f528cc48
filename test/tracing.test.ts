import t from 'tap'
import diagnosticsChannel from 'node:diagnostics_channel'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Fastify, { type FastifyInstance } from 'fastify'
import replyFrom from '@fastify/reply-from'
import { FastifyOtelInstrumentation } from '@fastify/otel'
import { context, SpanStatusCode, trace } from '@opentelemetry/api'
import { InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base'
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node'
import createHttpError from 'http-errors'
import type { DecisionMessage } from '../index'
import { addressOf } from './helpers/gateway'
import { decisionAttributes, requestSpans } from './helpers/spans'
import { providerErrors, successBodies } from './helpers/fixtures'
import { startUpstream, type Teardown } from './helpers/upstream'
import plugin = require('../lib/index')
import { DECISION_CHANNEL } from '../lib/observe/channel'
import { ATTRIBUTES, loadOtel } from '../lib/observe/otel'

// Tracing through real parts: the OpenTelemetry SDK with its in-memory exporter, @fastify/otel around a real
// listening gateway (@fastify/reply-from in front of a real upstream), and node:diagnostics_channel.

const exporter = new InMemorySpanExporter()
const provider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] })
provider.register()
t.teardown(() => provider.shutdown())
t.beforeEach(() => exporter.reset())

// Anthropic's "prompt is too long", which the table calls a 400 no retry cures (fixture 1, from Anthropic's docs).
const tooLong = providerErrors.find((fixture) => fixture.provider === 'anthropic' && JSON.stringify(fixture.body).includes('prompt is too long'))
const success = successBodies.find((fixture) => fixture.body !== undefined && fixture.endpoint.includes('chat'))
if (tooLong === undefined || success === undefined) throw new Error('fixtures missing')

/** A gateway as an operator runs it: @fastify/otel first, then the plugin, then reply-from to the upstream. */
async function tracedGateway (t: Teardown, upstreamBody: unknown, setup?: (app: FastifyInstance) => void): Promise<string> {
  const upstream = await startUpstream(t, { status: 200, body: upstreamBody })
  const instrumentation = new FastifyOtelInstrumentation()
  instrumentation.setTracerProvider(provider)
  const app = Fastify()
  t.teardown(() => app.close())
  await app.register(instrumentation.plugin())
  await app.register(plugin as any)
  await app.register(replyFrom, { base: upstream.url })
  setup?.(app)
  app.post('/v1/chat/completions', (request, reply) => { reply.from(request.url) })
  await app.listen({ port: 0, host: '127.0.0.1' })
  return addressOf(app)
}

const post = (address: string, path = '/v1/chat/completions') =>
  fetch(address + path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"model":"m","messages":[]}' })

/** The request span @fastify/otel shows for a request, once it has ended. */
function requestSpan (): ReadableSpan {
  const spans = requestSpans(exporter)
  if (spans.length !== 1) throw new Error(`${spans.length} request spans`)
  return spans[0]
}

t.test('with @fastify/otel, the request span carries the decision and has status ERROR', async (t) => {
  const address = await tracedGateway(t, tooLong.body)
  const res = await post(address)
  t.equal(res.status, 400)
  await res.text()
  const span = requestSpan()
  t.same(decisionAttributes(span), {
    [ATTRIBUTES.originalStatus]: 200,
    [ATTRIBUTES.status]: 400,
    [ATTRIBUTES.rule]: 'any.context-length',
    [ATTRIBUTES.provider]: 'anthropic',
    [ATTRIBUTES.retryable]: false,
    [ATTRIBUTES.source]: 'stream', // reply-from sends the upstream's body on as a stream
    [ATTRIBUTES.reportOnly]: false
  })
  t.equal(span.status.code, SpanStatusCode.ERROR)
  t.equal(span.status.message, 'fastify-openai-errors: any.context-length')
  t.equal(span.attributes['http.response.status_code'], 400, 'the status @fastify/otel records is the new one')
  const hookSpans = exporter.getFinishedSpans().filter((other) => other !== span && Object.keys(decisionAttributes(other)).length > 0)
  t.same(hookSpans, [], 'the onSend hook\'s own span, active during the hook, is not the one marked')
})

t.test('with @fastify/otel, a success leaves the request span without decision attributes and its status unset', async (t) => {
  const address = await tracedGateway(t, success.body)
  const res = await post(address)
  t.equal(res.status, 200)
  await res.text()
  const span = requestSpan()
  t.same(decisionAttributes(span), {})
  t.equal(span.status.code, SpanStatusCode.UNSET)
})

t.test('with @fastify/otel, an unknown URL\'s 404 marks its request span, with no original status or provider', async (t) => {
  const address = await tracedGateway(t, success.body)
  const res = await post(address, '/v1/nope')
  t.equal(res.status, 404)
  await res.text()
  const span = requestSpan()
  t.same(decisionAttributes(span), { [ATTRIBUTES.status]: 404, [ATTRIBUTES.rule]: 'not-found', [ATTRIBUTES.source]: 'not-found', [ATTRIBUTES.reportOnly]: false })
  t.equal(span.status.code, SpanStatusCode.ERROR)
})

t.test('without @fastify/otel, the span active around the request is the one marked (a thrown error here)', async (t) => {
  const app = Fastify()
  t.teardown(() => app.close())
  await app.register(plugin as any)
  app.get('/v1/models', async () => { throw createHttpError(429, 'Slow down') })
  const tracer = trace.getTracer('test')
  const res = await tracer.startActiveSpan('server', async (span) => {
    try {
      return await app.inject('/v1/models')
    } finally {
      span.end()
    }
  })
  t.equal(res.statusCode, 429)
  const [span] = exporter.getFinishedSpans()
  t.equal(span.name, 'server')
  t.match(decisionAttributes(span), { [ATTRIBUTES.status]: 429, [ATTRIBUTES.rule]: 'thrown', [ATTRIBUTES.source]: 'error-handler' })
  t.notOk(ATTRIBUTES.originalStatus in span.attributes, 'a thrown error has no original status')
  t.equal(span.status.code, SpanStatusCode.ERROR)
})

t.test('with no span active, a decision is carried out as always', async (t) => {
  const app = Fastify()
  t.teardown(() => app.close())
  await app.register(plugin as any)
  t.equal(trace.getSpan(context.active()), undefined)
  const res = await app.inject('/v1/nope')
  t.equal(res.statusCode, 404)
  t.equal(res.json().error.code, 'unknown_url')
  t.same(exporter.getFinishedSpans(), [])
})

t.test('@opentelemetry/api is loaded from where the host installed it, and is null where it is not installed', async (t) => {
  t.equal(loadOtel()?.trace, trace)
  t.equal(loadOtel(createRequire(join(tmpdir(), 'no-such-app', 'index.js'))), null)
})

t.test('diagnostics channel', async (t) => {
  t.equal(DECISION_CHANNEL, 'fastify-openai-errors:decision')
  t.equal((plugin as unknown as { DECISION_CHANNEL: string }).DECISION_CHANNEL, DECISION_CHANNEL, 'the name is exported')

  /** Subscribe for one test; the messages it hears. */
  const listen = (t: Teardown): DecisionMessage[] => {
    const messages: DecisionMessage[] = []
    const onMessage = (message: unknown) => { messages.push(message as DecisionMessage) }
    diagnosticsChannel.subscribe(DECISION_CHANNEL, onMessage)
    t.teardown(() => { diagnosticsChannel.unsubscribe(DECISION_CHANNEL, onMessage) })
    return messages
  }

  t.test('a subscriber hears each decision of a real gateway, with no option set: the event, retryable and the request', async (t) => {
    const messages = listen(t)
    const seen: unknown[] = []
    const address = await tracedGateway(t, tooLong.body, (app) => { app.addHook('onResponse', async (request) => { seen.push(request) }) })
    t.equal((await post(address)).status, 400)
    t.equal(messages.length, 1)
    const { request, ...rest } = messages[0]
    t.same(rest, {
      source: 'stream',
      method: 'POST',
      url: '/v1/chat/completions',
      route: '/v1/chat/completions',
      originalStatus: 200,
      status: 400,
      rule: 'any.context-length',
      provider: 'anthropic',
      type: 'invalid_request_error',
      code: 'context_length_exceeded',
      reportOnly: false,
      retryable: false
    })
    t.equal(request, seen[0], 'the Fastify request the decision is for')
  })

  t.test('successes publish nothing', async (t) => {
    const messages = listen(t)
    const address = await tracedGateway(t, success.body)
    t.equal((await post(address)).status, 200)
    t.same(messages, [])
  })

  t.test('thrown errors and unknown URLs are published too; in report-only mode, with reportOnly true', async (t) => {
    const messages = listen(t)
    const app = Fastify()
    t.teardown(() => app.close())
    await app.register(plugin as any, { reportOnly: true })
    app.get('/v1/models', async () => { throw createHttpError(503, 'Down') })
    t.equal((await app.inject('/v1/models')).statusCode, 503)
    t.match(messages, [{ source: 'error-handler', status: 503, rule: 'thrown', originalStatus: null, reportOnly: true, retryable: null }])
  })

  t.test('the onNormalize option still hears the event as before, next to a subscriber', async (t) => {
    const messages = listen(t)
    const events: unknown[] = []
    const app = Fastify()
    t.teardown(() => app.close())
    await app.register(plugin as any, { onNormalize: (event: unknown) => { events.push(event) } })
    t.equal((await app.inject('/v1/nope')).statusCode, 404)
    t.equal(events.length, 1)
    t.notOk('retryable' in (events[0] as object) || 'request' in (events[0] as object), 'the event has its documented fields only')
    t.match(messages, [{ source: 'not-found', route: undefined, provider: null, originalStatus: null }])
    t.not(messages[0], events[0], 'each listener has its own object')
  })
})
