import t from 'tap'
import type { FastifyInstance } from 'fastify'
import type { PluginOptions } from '../lib/settings/options'
import type { Teardown } from './helpers/upstream'
import { buildGateway } from './helpers/gateway'

const JSON_TYPE = 'application/json; charset=utf-8'

/** The plugin's app with one known route, GET /v1/models. */
async function modelsGateway (t: Teardown, options: PluginOptions = {}): Promise<FastifyInstance> {
  const app = await buildGateway(t, { plugin: options })
  app.get('/v1/models', async () => ({ object: 'list', data: [] }))
  return app
}

t.test('an unknown route is a 404 in OpenAI shape, code unknown_url', async (t) => {
  const app = await modelsGateway(t)
  const res = await app.inject({ method: 'POST', url: '/v1/chat/completion' })
  t.equal(res.statusCode, 404)
  t.equal(res.headers['content-type'], JSON_TYPE)
  t.same(res.json(), {
    error: { message: 'Invalid URL (POST /v1/chat/completion)', type: 'invalid_request_error', param: null, code: 'unknown_url' }
  })
})

t.test('a known path with the wrong method is a 404 naming the method', async (t) => {
  const app = await modelsGateway(t)
  const res = await app.inject({ method: 'DELETE', url: '/v1/models' })
  t.equal(res.statusCode, 404)
  t.equal(res.headers['content-type'], JSON_TYPE)
  t.same(res.json(), {
    error: { message: 'Invalid URL (DELETE /v1/models)', type: 'invalid_request_error', param: null, code: 'unknown_url' }
  })
})

t.test('a URL of 200 characters is quoted whole', async (t) => {
  const url = '/' + 'a'.repeat(199)
  const app = await modelsGateway(t)
  const res = await app.inject(url)
  t.equal(res.statusCode, 404)
  t.equal(res.headers['content-type'], JSON_TYPE)
  t.equal(res.json().error.message, `Invalid URL (GET ${url})`)
})

t.test('a longer URL is cut to 200 characters and marked', async (t) => {
  const url = '/v1/' + 'x'.repeat(5000) + '?key=secret'
  const app = await modelsGateway(t)
  const res = await app.inject(url)
  t.equal(res.statusCode, 404)
  t.equal(res.headers['content-type'], JSON_TYPE)
  t.equal(res.json().error.message, `Invalid URL (GET ${url.slice(0, 200)}...)`)
  t.notMatch(res.body, 'secret')
})

t.test("notFoundHandler: false leaves Fastify's default not-found answer", async (t) => {
  const app = await modelsGateway(t, { notFoundHandler: false })
  const res = await app.inject('/v1/nope')
  t.equal(res.statusCode, 404)
  t.equal(res.headers['content-type'], JSON_TYPE)
  t.same(res.json(), { message: 'Route GET:/v1/nope not found', error: 'Not Found', statusCode: 404 })
})
