// The package as an ES-module user gets it: Node's loader over the CommonJS build, reached by the package's own
// name (package.json "name" and "exports" make that a self-reference from inside the repo).
import t from 'tap'
import Fastify from 'fastify'
import { createRequire } from 'node:module'
import plugin, * as namespace from 'fastify-openai-errors'
import { classify, openaiError, createErrorHandler, fastifyOpenaiErrors } from 'fastify-openai-errors'

const require = createRequire(import.meta.url)
const noModels = { error: { message: 'No models available', type: 'invalid_request_error' } }

t.test('the package name resolves to the built entry point of this repo', async (t) => {
  t.equal(import.meta.resolve('fastify-openai-errors'), new URL('../dist/index.js', import.meta.url).href)
})

t.test('the default import is the plugin that require() gives, also as .default and by name', async (t) => {
  t.equal(typeof plugin, 'function')
  t.equal(plugin, require('..'))
  t.equal(plugin.default, plugin)
  t.equal(fastifyOpenaiErrors, plugin)
  t.match(plugin[Symbol.for('plugin-meta')], { name: 'fastify-openai-errors', fastify: '5.x' })
})

t.test('every export of the CommonJS build is also a named export for ES modules', async (t) => {
  t.ok(Object.keys(plugin).length >= 9)
  for (const name of Object.keys(plugin)) t.equal(namespace[name], plugin[name], name)
  t.equal(namespace.default, plugin)
})

t.test('the named imports classify a real error body', async (t) => {
  t.match(classify(noModels), { status: 404, type: 'invalid_request_error', code: 'model_not_found' })
  t.equal(classify({ object: 'list', data: [] }), null)
  t.match(openaiError(429, 'Slow down'), { status: 429, message: 'Slow down', openai: { type: 'rate_limit_error' } })
  t.equal(typeof createErrorHandler(), 'function')
})

t.test('registered on Fastify, it answers a 200 "No models available" body with 404', async (t) => {
  const app = Fastify()
  t.teardown(() => app.close())
  await app.register(plugin)
  app.get('/v1/models/nope', async () => noModels)

  const response = await app.inject('/v1/models/nope')
  t.equal(response.statusCode, 404)
  t.same(response.json(), noModels)
})
