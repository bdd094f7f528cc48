import t from 'tap'
import Fastify from 'fastify'
import plugin = require('../lib/index')
import { appWith, echoRoute } from './helpers/app'
import { buildGateway } from './helpers/gateway'

const notFound = '{"error":"model \\"llama2\\" not found, try pulling it first"}'

t.test('config.openaiErrors false turns the plugin off for that route only', async (t) => {
  const app = await appWith()
  echoRoute(app, '/off', notFound, { contentType: 'application/json', config: { openaiErrors: false } })
  echoRoute(app, '/on', notFound, { contentType: 'application/json' })
  t.equal((await app.inject('/off')).statusCode, 200)
  t.equal((await app.inject('/on')).statusCode, 404)
})

t.test('config.openaiErrors true is the same as no config', async (t) => {
  const app = await appWith()
  echoRoute(app, '/on', notFound, { contentType: 'application/json', config: { openaiErrors: true } })
  t.equal((await app.inject('/on')).statusCode, 404)
})

t.test('an object overrides options for that route; route rules run first', async (t) => {
  const app = await appWith({ rules: [{ name: 'plugin-rule', message: 'llama2', status: 410 }] })
  echoRoute(app, '/plugin', notFound, { contentType: 'application/json' })
  echoRoute(app, '/route', notFound, { contentType: 'application/json', config: { openaiErrors: { rewriteBody: true, rules: [{ message: 'pulling', status: 424, errorCode: 'pull_first' }] } } })
  echoRoute(app, '/inherits', notFound, { contentType: 'application/json', config: { openaiErrors: { rewriteBody: true } } })
  t.equal((await app.inject('/plugin')).statusCode, 410)
  const route = await app.inject('/route')
  t.equal(route.statusCode, 424)
  t.equal(route.json().error.code, 'pull_first')
  const inherits = await app.inject('/inherits')
  t.equal(inherits.statusCode, 410, 'the plugin rule still applies')
  t.same(inherits.json(), { error: { message: 'model "llama2" not found, try pulling it first', type: 'invalid_request_error', param: null, code: null } })
})

t.test('the route\'s own onRequest hooks still run, after the plugin has set the route settings', async (t) => {
  const app = await appWith()
  const calls: string[] = []
  app.get('/hooks', {
    config: { openaiErrors: false },
    onRequest: async () => { calls.push('route hook') }
  }, async (_request, reply) => reply.header('content-type', 'application/json').send(notFound))
  app.get('/hook', {
    config: { openaiErrors: { rewriteBody: true } },
    onRequest: [async () => { calls.push('array hook') }]
  }, async (_request, reply) => reply.header('content-type', 'application/json').send(notFound))
  t.equal((await app.inject('/hooks')).statusCode, 200)
  t.equal((await app.inject('/hook')).statusCode, 404)
  t.same(calls, ['route hook', 'array hook'])
})

t.test('invalid route config fails route registration with a clear error', async (t) => {
  const app = await buildGateway(t)
  t.throws(() => app.get('/bad', { config: { openaiErrors: 'off' } as any }, async () => 'x'), {
    code: 'FST_OPENAI_ERRORS_INVALID_ROUTE_CONFIG',
    message: /route GET \/bad: config\.openaiErrors must be false or an object/
  })
  t.throws(() => app.get('/bad2', { config: { openaiErrors: { maxBodyBytes: -1 } } as any }, async () => 'x'), {
    message: /config\.openaiErrors\.maxBodyBytes must be an integer/
  })
})

t.test('the plugin applies to the scope that registers it, including child scopes', async (t) => {
  const app = Fastify()
  await app.register(async (scope) => {
    await scope.register(plugin as any)
    scope.register(async (child) => {
      echoRoute(child, '/child', notFound, { contentType: 'application/json' })
    })
  })
  await app.register(async (sibling) => {
    echoRoute(sibling, '/sibling', notFound, { contentType: 'application/json' })
  })
  t.equal((await app.inject('/child')).statusCode, 404)
  t.equal((await app.inject('/sibling')).statusCode, 200, 'a sibling scope is not touched')
  await app.close()
})
