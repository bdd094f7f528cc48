import t from 'tap'
import type { FastifyInstance } from 'fastify'
import { echoRoute } from './helpers/app'
import { addressOf, buildGateway, captureLog, rawRequest } from './helpers/gateway'
import { startUpstream, type Teardown } from './helpers/upstream'
import type { NormalizeEvent } from '../lib/settings/options'

const NO_MODELS = '{"error":{"message":"No models available","type":"invalid_request_error"}}'

/** The plugin's app logging at info level; `lines` as pino wrote them. */
async function appWithLog (t: Teardown, options: Record<string, unknown>): Promise<{ app: FastifyInstance, lines: string[] }> {
  const { logger, raw: lines } = captureLog('info')
  const app = await buildGateway(t, { plugin: options, server: { logger } })
  return { app, lines }
}

t.test('onNormalize hears every decision: body, thrown error, unknown route', async (t) => {
  const events: NormalizeEvent[] = []
  const { app } = await appWithLog(t, { onNormalize: (event: NormalizeEvent) => events.push(event) })
  echoRoute(app, '/v1/chat/completions', NO_MODELS, { contentType: 'application/json' })
  app.get('/boom', async () => { throw Object.assign(new Error('x'), { statusCode: 429 }) })
  await app.inject('/v1/chat/completions')
  await app.inject('/boom')
  await app.inject('/nowhere')
  t.match(events, [
    { source: 'body', method: 'GET', url: '/v1/chat/completions', route: '/v1/chat/completions', originalStatus: 200, status: 404, rule: 'litellm.no-models-available', provider: 'litellm', type: 'invalid_request_error', code: 'model_not_found', reportOnly: false },
    { source: 'error-handler', route: '/boom', originalStatus: null, status: 429, rule: 'thrown', provider: null, type: 'rate_limit_error' },
    { source: 'not-found', route: undefined, status: 404, rule: 'not-found', code: 'unknown_url' }
  ])
})

t.test('onNormalize that throws is logged and the response still goes out', async (t) => {
  const { app, lines } = await appWithLog(t, { onNormalize: () => { throw new Error('observer bug') } })
  echoRoute(app, '/x', NO_MODELS, { contentType: 'application/json' })
  const res = await app.inject('/x')
  t.equal(res.statusCode, 404)
  t.equal(lines.filter((line) => line.includes('onNormalize threw') && line.includes('observer bug')).length, 1)
})

t.test('report-only changes nothing, and says what it would have done', async (t) => {
  const events: NormalizeEvent[] = []
  const { app, lines } = await appWithLog(t, { reportOnly: true, rewriteBody: true, onNormalize: (event: NormalizeEvent) => events.push(event) })
  echoRoute(app, '/x', NO_MODELS, { contentType: 'application/json' })
  app.get('/boom', async () => { throw new Error('internal detail') })
  const res = await app.inject('/x')
  t.equal(res.statusCode, 200)
  t.equal(res.body, NO_MODELS)
  t.equal(res.headers['x-upstream-status'], undefined)
  const boom = await app.inject('/boom')
  t.equal(boom.statusCode, 500)
  t.same(boom.json(), { statusCode: 500, error: 'Internal Server Error', message: 'internal detail' }, "Fastify's own error handler answered")
  const unknown = await app.inject('/nowhere')
  t.equal(unknown.json().message, 'Route GET:/nowhere not found', "Fastify's own 404")
  t.match(events, [{ source: 'body', status: 404, originalStatus: 200, reportOnly: true }, { source: 'error-handler', status: 500, reportOnly: true }])
  t.ok(lines.some((line) => line.includes('report only') && line.includes('"status":404')), 'logged')
})

t.test('report-only on a proxied SSE stream: the stream goes out whole and the decision is reported', async (t) => {
  const events: NormalizeEvent[] = []
  const upstream = await startUpstream(t, (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream' })
    res.end('data: {"error":{"message":"Rate limit exceeded","code":429}}\n\n')
  })
  const gateway = await buildGateway(t, { plugin: { reportOnly: true, onNormalize: (event: NormalizeEvent) => events.push(event) }, upstream: upstream.url, listen: true })
  const res = await rawRequest(addressOf(gateway) + '/v1/chat/completions')
  t.equal(res.status, 200)
  t.equal(res.body.toString(), 'data: {"error":{"message":"Rate limit exceeded","code":429}}\n\n')
  t.match(events, [{ source: 'stream', status: 429, originalStatus: 200, reportOnly: true }])
})

t.test('report-only can be set per route', async (t) => {
  const { app } = await appWithLog(t, {})
  echoRoute(app, '/try', NO_MODELS, { contentType: 'application/json', config: { openaiErrors: { reportOnly: true } } })
  echoRoute(app, '/live', NO_MODELS, { contentType: 'application/json' })
  t.equal((await app.inject('/try')).statusCode, 200)
  t.equal((await app.inject('/live')).statusCode, 404)
})

t.test('invalid observability options fail registration', async (t) => {
  await t.rejects(appWithLog(t, { onNormalize: 'log' }), { message: /option "onNormalize" must be a function/ })
  await t.rejects(appWithLog(t, { upstreamStatusHeader: 'bad header' }), { message: /option "upstreamStatusHeader" must be a header name or false, got "bad header"/ })
  await t.rejects(appWithLog(t, { reportOnly: 1 }), { message: /option "reportOnly" must be a boolean/ })
})
