import t from 'tap'
import Fastify, { type FastifyInstance, type FastifyPluginCallback, type FastifyServerOptions } from 'fastify'
import createHttpError from 'http-errors'
import type { createErrorHandler as CreateErrorHandler } from '../lib/fastify/error-handler'
import type { PluginOptions } from '../lib/settings/options'
import type { Teardown } from './helpers/upstream'

// lib/index.ts assigns module.exports (the Fastify plugins' CommonJS pattern), so it is required, not imported.
const openaiErrors: FastifyPluginCallback<PluginOptions> & { createErrorHandler: typeof CreateErrorHandler } = require('../lib/index')

// The plugin sets no handler: whatever the app sets, before or after registering it, stays in charge, and Fastify's
// strictest setting (allowErrorHandlerOverride: false, which throws on a second setErrorHandler) still boots.
const STRICT: FastifyServerOptions = { allowErrorHandlerOverride: false }

type Order = 'app first' | 'plugin first'

/** An app with its own error and not-found handlers, set before or after the plugin is registered. */
async function appWithOwnHandlers (t: Teardown, order: Order, options: PluginOptions = {}): Promise<FastifyInstance> {
  const app = Fastify(STRICT)
  const own = (instance: FastifyInstance): void => {
    instance.setErrorHandler((error, _request, reply) => { reply.code(418).send({ mine: 'error', message: (error as Error).message }) })
    instance.setNotFoundHandler((request, reply) => { reply.code(404).send({ mine: 'not found', url: request.url }) })
  }
  if (order === 'app first') own(app)
  await app.register(openaiErrors, options)
  if (order === 'plugin first') own(app)
  app.get('/boom', async () => { throw new Error('db down') })
  // A body the app's own handler did not build still gets the plugin's status correction.
  app.get('/proxied', async (_request, reply) => reply.type('application/json').send('{"error":{"message":"No models available","type":"invalid_request_error"}}'))
  t.teardown(() => app.close())
  await app.ready()
  return app
}

for (const order of ['app first', 'plugin first'] as const) {
  t.test(`${order}: the app boots and keeps its own error handler`, async (t) => {
    const app = await appWithOwnHandlers(t, order)
    const res = await app.inject('/boom')
    t.equal(res.statusCode, 418)
    t.same(res.json(), { mine: 'error', message: 'db down' })
  })

  t.test(`${order}: the app keeps its own not-found handler`, async (t) => {
    const app = await appWithOwnHandlers(t, order)
    const res = await app.inject('/v1/nope')
    t.equal(res.statusCode, 404)
    t.same(res.json(), { mine: 'not found', url: '/v1/nope' })
  })

  t.test(`${order}: the onSend hook still corrects the app's own error bodies sent with 200`, async (t) => {
    const app = await appWithOwnHandlers(t, order)
    const res = await app.inject('/proxied')
    t.equal(res.statusCode, 404)
    t.equal(res.headers['x-upstream-status'], '200')
  })
}

t.test('registering the plugin twice-over with an app handler emits no Fastify warning', async (t) => {
  const warnings: string[] = []
  const onWarning = (warning: Error & { code?: string }): void => { warnings.push(warning.code ?? warning.name) }
  process.on('warning', onWarning)
  t.teardown(() => { process.off('warning', onWarning) })
  const app = Fastify()
  await app.register(openaiErrors)
  app.setErrorHandler((_error, _request, reply) => { reply.code(418).send('mine') })
  await app.ready()
  t.teardown(() => app.close())
  // Warnings are emitted on the next tick.
  await new Promise((resolve) => setImmediate(resolve))
  t.notOk(warnings.includes('FSTWRN004'), 'no "overriding an errorHandler" warning')
  t.equal((await app.inject('/x')).statusCode, 404)
})

t.test('a route with its own errorHandler keeps it', async (t) => {
  const app = Fastify()
  await app.register(openaiErrors)
  app.get('/own', { errorHandler: (_error, _request, reply) => { reply.code(409).send({ route: 'own' }) } }, async () => { throw new Error('x') })
  t.teardown(() => app.close())
  const res = await app.inject('/own')
  t.equal(res.statusCode, 409)
  t.same(res.json(), { route: 'own' })
})

t.test('an encapsulated scope with its own error handler keeps it; routes outside get the OpenAI answer', async (t) => {
  const app = Fastify()
  await app.register(openaiErrors)
  await app.register(async (scope) => {
    scope.setErrorHandler((_error, _request, reply) => { reply.code(418).send({ scope: 'own' }) })
    scope.get('/inner', async () => { throw createHttpError(404, 'inner') })
  })
  app.get('/outer', async () => { throw createHttpError(404, 'No such model') })
  t.teardown(() => app.close())
  t.same((await app.inject('/inner')).json(), { scope: 'own' })
  const outer = await app.inject('/outer')
  t.equal(outer.statusCode, 404)
  t.same(outer.json(), { error: { message: 'No such model', type: 'not_found_error', param: null, code: null } })
})

t.test('an app handler that hands the error back to Fastify (reply.send(error)) gets the OpenAI answer', async (t) => {
  const app = Fastify(STRICT)
  await app.register(openaiErrors)
  app.setErrorHandler((error, _request, reply) => { reply.header('x-seen-by', 'app').send(error) })
  app.get('/limited', async () => { throw createHttpError(429, 'Rate limit reached for requests') })
  t.teardown(() => app.close())
  const res = await app.inject('/limited')
  t.equal(res.statusCode, 429)
  t.equal(res.headers['x-seen-by'], 'app', 'the app handler ran')
  t.same(res.json(), { error: { message: 'Rate limit reached for requests', type: 'rate_limit_error', param: null, code: null } })
})

t.test('a thrown string gets the OpenAI 500, not the string', async (t) => {
  const app = Fastify()
  await app.register(openaiErrors)
  // eslint-disable-next-line no-throw-literal
  app.get('/string', async () => { throw 'internal detail' })
  t.teardown(() => app.close())
  const res = await app.inject('/string')
  t.equal(res.statusCode, 500)
  t.same(res.json(), { error: { message: 'The server had an error while processing your request.', type: 'server_error', param: null, code: null } })
})

t.test('an app handler whose body merely starts like Fastify\'s is left alone', async (t) => {
  const app = Fastify()
  await app.register(openaiErrors)
  app.setErrorHandler((_error, _request, reply) => { reply.code(500).type('application/json').send('{"statusCode":500,"message":"mine","extra":1}') })
  app.get('/x', async () => { throw new Error('mine') })
  app.get('/y', async () => { throw new Error('other') })
  app.get('/z', { errorHandler: (_error, _request, reply) => { reply.code(500).type('application/json').send('{"statusCode":500,') } }, async () => { throw new Error('z') })
  app.setNotFoundHandler((_request, reply) => { reply.code(404).type('application/json').send('{"statusCode":') })
  t.teardown(() => app.close())
  t.equal((await app.inject('/x')).body, '{"statusCode":500,"message":"mine","extra":1}', 'a key Fastify does not send')
  t.equal((await app.inject('/y')).body, '{"statusCode":500,"message":"mine","extra":1}', 'another message than the error\'s')
  t.equal((await app.inject('/z')).body, '{"statusCode":500,', 'not JSON, after a thrown error')
  t.equal((await app.inject('/nope')).body, '{"statusCode":', 'not JSON, on a 404')
})

t.test('an app 404 that is not Fastify\'s own is left alone, even when it starts like it', async (t) => {
  const app = Fastify()
  await app.register(openaiErrors)
  app.setNotFoundHandler((request, reply) => { reply.code(404).type('application/json').send(`{"message":"Route ${request.method}:${request.url} not found","error":"Not Found","statusCode":404,"hint":"see /docs"}`) })
  t.teardown(() => app.close())
  const res = await app.inject('/v1/nope')
  t.equal(res.statusCode, 404)
  t.match(res.json(), { hint: 'see /docs' })
})

t.test('an app handler that sends a Buffer is left alone', async (t) => {
  const app = Fastify()
  await app.register(openaiErrors)
  app.setErrorHandler((_error, _request, reply) => { reply.code(500).type('application/json').send(Buffer.from('{"statusCode":500,"message":"x"}')) })
  app.get('/x', async () => { throw new Error('x') })
  t.teardown(() => app.close())
  t.equal((await app.inject('/x')).body, '{"statusCode":500,"message":"x"}')
})

t.test('createErrorHandler() in report-only mode hands the error to Fastify, and reports it', async (t) => {
  const events: unknown[] = []
  const app = Fastify()
  await app.register(openaiErrors, { errorHandler: false })
  app.setErrorHandler(openaiErrors.createErrorHandler({ reportOnly: true, onNormalize: (event: unknown) => { events.push(event) } }))
  app.get('/x', async () => { throw createHttpError(429, 'Slow down') })
  t.teardown(() => app.close())
  const res = await app.inject('/x')
  t.equal(res.statusCode, 429)
  t.same(res.json(), { statusCode: 429, error: 'Too Many Requests', message: 'Slow down' }, "Fastify's own answer")
  t.match(events, [{ source: 'error-handler', status: 429, reportOnly: true }])
})

t.test('createErrorHandler() set by the app answers and logs: 5xx at error level, 4xx at info', async (t) => {
  const lines: Array<{ level: number, msg: string, statusCode?: number }> = []
  const app = Fastify({ logger: { level: 'info', stream: { write: (line: string) => { lines.push(JSON.parse(line)) } } } })
  await app.register(openaiErrors, { errorHandler: false })
  app.setErrorHandler(openaiErrors.createErrorHandler())
  app.get('/down', async () => { throw new Error('pool exhausted') })
  app.get('/missing', async () => { throw createHttpError(404, 'No such model') })
  t.teardown(() => app.close())
  const down = await app.inject('/down')
  t.equal(down.statusCode, 500)
  t.equal(down.json().error.message, 'The server had an error while processing your request.')
  t.equal((await app.inject('/missing')).statusCode, 404)
  t.match(lines.filter((line) => line.msg === 'request failed'), [{ level: 50, statusCode: 500 }])
  t.match(lines.filter((line) => line.msg === 'request rejected'), [{ level: 30, statusCode: 404 }])
})

t.test('errorHandler: false and notFoundHandler: false leave both of Fastify\'s default answers', async (t) => {
  const app = Fastify()
  await app.register(openaiErrors, { errorHandler: false, notFoundHandler: false })
  app.get('/boom', async () => { throw createHttpError(404, 'No such model') })
  t.teardown(() => app.close())
  t.same((await app.inject('/boom')).json(), { statusCode: 404, error: 'Not Found', message: 'No such model' })
  t.same((await app.inject('/nope')).json(), { message: 'Route GET:/nope not found', error: 'Not Found', statusCode: 404 })
})
