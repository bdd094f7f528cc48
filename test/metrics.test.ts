import t from 'tap'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Fastify, { type FastifyInstance } from 'fastify'
import { Counter, Gauge, Registry, register as globalRegister } from 'prom-client'
import { addressOf } from './helpers/gateway'
import { providerErrors, successBodies } from './helpers/fixtures'
import { startUpstream, type Teardown } from './helpers/upstream'
import { otelApi, resolveOtel } from '../lib/observe/otel'
import plugin = require('../lib/index')
import { createMetrics, DEFAULT_METRIC_NAME, LABELS } from '../lib/observe/metrics'
import { loadPromClient } from '../lib/observe/decision-counter'

// The prom-client counter through real parts: prom-client's registries, Fastify apps, a real listening gateway
// (examples/prometheus-metrics.js on the built dist/) scraped over HTTP.

// This process stands for a host without @opentelemetry/api: resolved from a folder where it is not installed,
// before any registration, so every decision below takes the path of an app with no tracing at all.
const nowhere = createRequire(join(tmpdir(), 'no-such-app', 'index.js'))
resolveOtel(nowhere)

const example: { build: (opts?: Record<string, unknown>) => Promise<FastifyInstance> } = require('../examples/prometheus-metrics.js')

// Anthropic's "prompt is too long" (a 400), and a real chat completion.
const tooLong = providerErrors.find((fixture) => fixture.provider === 'anthropic' && JSON.stringify(fixture.body).includes('prompt is too long'))
const success = successBodies.find((fixture) => fixture.body !== undefined && fixture.endpoint.includes('chat'))
if (tooLong === undefined || success === undefined) throw new Error('fixtures missing')

const post = (address: string, path = '/v1/chat/completions') =>
  fetch(address + path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"model":"m","messages":[]}' })

/** An app with the plugin (from lib/) counting into `metrics`, and a route answering `status` with `body`. */
async function countingApp (t: Teardown, onNormalize: (event: any) => void, body: unknown = tooLong?.body): Promise<FastifyInstance> {
  const app = Fastify()
  t.teardown(() => app.close())
  await app.register(plugin as any, { onNormalize })
  app.post('/v1/chat/completions', async (_request, reply) => reply.type('application/json').send(JSON.stringify(body)))
  return app
}

const sample = (labels: Record<string, string>, count: number, name = DEFAULT_METRIC_NAME) =>
  `${name}{${Object.entries(labels).map(([k, v]) => `${k}="${v}"`).join(',')}} ${count}`
const bodyLabels = { route: '/v1/chat/completions', original_status: '200', status: '400', rule: 'any.context-length', provider: 'anthropic', source: 'body' }

t.test('with no @opentelemetry/api installed, decisions are carried out and counted as before', async (t) => {
  t.equal(otelApi(), null)
  const register = new Registry()
  const app = await countingApp(t, createMetrics({ register }).onNormalize)
  t.equal((await app.inject({ method: 'POST', url: '/v1/chat/completions' })).statusCode, 400)
  t.ok((await register.metrics()).includes(sample(bodyLabels, 1)))
})

t.test('a decision with no listener at all is carried out (no event is built for no one)', async (t) => {
  const app = Fastify()
  t.teardown(() => app.close())
  await app.register(plugin as any)
  const res = await app.inject('/v1/nope')
  t.equal(res.statusCode, 404)
  t.equal(res.json().error.code, 'unknown_url')
})

t.test('the example gateway, listening, counts a remapped error and serves it on GET /metrics with prom-client', async (t) => {
  const upstream = await startUpstream(t, { status: 200, body: tooLong.body })
  const register = new Registry()
  const app = await example.build({ upstreamUrl: upstream.url + '/v1', register })
  t.teardown(() => app.close())
  await app.listen({ port: 0, host: '127.0.0.1' })
  const address = addressOf(app)
  t.equal((await post(address)).status, 400)
  t.equal((await post(address)).status, 400)
  t.equal((await post(address, '/v1/nope')).status, 404)
  const scrape = await fetch(address + '/metrics')
  t.equal(scrape.status, 200)
  t.equal(scrape.headers.get('content-type'), register.contentType)
  const lines = (await scrape.text()).split('\n')
  t.ok(lines.includes(`# TYPE ${DEFAULT_METRIC_NAME} counter`))
  t.same(lines.filter((line) => line.startsWith(DEFAULT_METRIC_NAME + '{')), [
    sample(bodyLabels, 2),
    sample({ route: 'none', original_status: 'none', status: '404', rule: 'not-found', provider: 'none', source: 'not-found' }, 1)
  ])
})

t.test('the example gateway counts nothing for successes', async (t) => {
  const upstream = await startUpstream(t, { status: 200, body: success.body })
  const app = await example.build({ upstreamUrl: upstream.url + '/v1', register: new Registry() })
  t.teardown(() => app.close())
  await app.listen({ port: 0, host: '127.0.0.1' })
  t.equal((await post(addressOf(app))).status, 200)
  t.notMatch(await (await fetch(addressOf(app) + '/metrics')).text(), new RegExp(`^${DEFAULT_METRIC_NAME}\\{`, 'm'))
})

t.test('by default the counter is in prom-client\'s global registry', async (t) => {
  t.teardown(() => globalRegister.removeSingleMetric(DEFAULT_METRIC_NAME))
  const { counter } = createMetrics()
  t.equal(globalRegister.getSingleMetric(DEFAULT_METRIC_NAME), counter)
  t.ok(counter instanceof Counter)
  t.same((counter as unknown as { labelNames: string[] }).labelNames, [...LABELS])
})

t.test('several apps in one process count into one counter: the second finds it registered and reuses it', async (t) => {
  const register = new Registry()
  const first = createMetrics({ register })
  const second = createMetrics({ register })
  t.equal(second.counter, first.counter)
  await (await countingApp(t, first.onNormalize)).inject({ method: 'POST', url: '/v1/chat/completions' })
  await (await countingApp(t, second.onNormalize)).inject({ method: 'POST', url: '/v1/chat/completions' })
  t.ok((await register.metrics()).includes(sample(bodyLabels, 2)))
})

t.test('prefix and name choose the metric\'s name', async (t) => {
  const register = new Registry()
  createMetrics({ register, prefix: 'gateway_' })
  createMetrics({ register, name: 'llm_errors_total' })
  createMetrics({ register, prefix: 'edge_', name: 'decisions_total' })
  t.same(register.getMetricsAsArray().map((metric) => metric.name).sort(), ['edge_decisions_total', 'gateway_openai_errors_normalized_total', 'llm_errors_total'])
})

t.test('invalid options fail when the counter is made, naming the option', async (t) => {
  const register = new Registry()
  const fails = (options: unknown, option: string, message: RegExp) =>
    t.throws(() => createMetrics(options), { code: 'FST_OPENAI_ERRORS_INVALID_OPTION', message: new RegExp(`option "${option}" ${message.source}`) })
  fails(null, 'options', /must be an object/)
  fails({ register: {} }, 'register', /must be a prom-client Registry/)
  fails({ register, prefix: 3 }, 'prefix', /must be a string/)
  fails({ register, name: 3 }, 'name', /must be a string/)
  fails({ register, name: 'llm-errors' }, 'name', /makes "llm-errors", not a Prometheus metric name/)
  fails({ register, prefix: '1st_' }, 'prefix', /makes "1st_openai_errors_normalized_total"/)
  t.same(register.getMetricsAsArray(), [], 'nothing registered')
})

t.test('a name taken by another metric (a gauge, or a counter with other labels) fails, naming the option', async (t) => {
  const register = new Registry()
  new Gauge({ name: 'taken_gauge', help: 'x', registers: [register] }) // eslint-disable-line no-new
  new Counter({ name: 'taken_counter', help: 'x', labelNames: ['route'], registers: [register] }) // eslint-disable-line no-new
  for (const name of ['taken_gauge', 'taken_counter']) {
    t.throws(() => createMetrics({ register, name }), { code: 'FST_OPENAI_ERRORS_INVALID_OPTION', message: new RegExp(`option "name" "${name}" is already registered as another metric`) })
  }
})

t.test('prom-client is the host\'s: where it is not installed, the error names the package', async (t) => {
  t.equal(loadPromClient().Registry, Registry)
  t.throws(() => loadPromClient(nowhere), {
    code: 'FST_OPENAI_ERRORS_MISSING_PEER',
    message: 'fastify-openai-errors: fastify-openai-errors/metrics needs the package "prom-client", an optional peer dependency: install it (npm install prom-client)'
  })
})

t.test('labels of an event with no route, no original status and no provider say "none"', async (t) => {
  const { labelsOf } = await import('../lib/observe/decision-counter')
  t.same(labelsOf({ source: 'thrown', method: 'GET', url: '/nowhere', route: undefined, originalStatus: null, status: 502, rule: 'thrown', provider: null, type: 'api_error', code: null, reportOnly: false } as any), {
    route: 'none', original_status: 'none', status: '502', rule: 'thrown', provider: 'none', source: 'thrown'
  })
})
