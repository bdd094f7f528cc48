import t from 'tap'
import Fastify from 'fastify'
import { join } from 'node:path'

// The package as a CommonJS user gets it: the root's "main" (dist/index.js, so `npm run build` first), typed by index.d.ts.
const root = join(__dirname, '..')
const plugin: typeof import('..') = require(root)

const noModels = { error: { message: 'No models available', type: 'invalid_request_error' } }

t.test('require() of the package is the plugin, also as .default and as .fastifyOpenaiErrors', async (t) => {
  t.equal(typeof plugin, 'function')
  t.equal(plugin.default, plugin)
  t.equal(plugin.fastifyOpenaiErrors, plugin)
  t.equal(require.resolve(root), join(root, 'dist', 'index.js'))
  // The package name, through package.json "exports", is the same module.
  t.equal(require('fastify-openai-errors'), plugin)
})

t.test('the plugin carries fastify-plugin metadata, so its hooks and handlers are not encapsulated', async (t) => {
  const meta = (plugin as unknown as Record<symbol, unknown>)
  t.match(meta[Symbol.for('plugin-meta')], { name: 'fastify-openai-errors', fastify: '5.x' })
  t.equal(meta[Symbol.for('fastify.display-name')], 'fastify-openai-errors')
  t.equal(meta[Symbol.for('skip-override')], true)
})

t.test('the named exports classify a real error body', async (t) => {
  const decision = plugin.classify(noModels)
  t.match(decision, { status: 404, type: 'invalid_request_error', code: 'model_not_found', message: 'No models available' })
  t.equal(plugin.classify(JSON.stringify(noModels))?.status, 404, 'a JSON string')
  t.equal(plugin.classify({ object: 'list', data: [] }), null, 'a success body')
  t.equal(plugin.classify(noModels, { rules: [{ name: 'mine', message: 'no models', status: 503 }] })?.rule, 'mine')

  const envelope = plugin.findEnvelope(noModels)
  t.match(envelope, { shape: 'openai', message: 'No models available' })
  t.same(envelope === null ? null : plugin.classifyEnvelope(envelope), decision)
  t.ok(Object.isFrozen(plugin.defaultRules))
  t.ok(plugin.defaultRules.some((rule) => rule.name === decision?.rule))

  const error = plugin.openaiError(404, { message: 'No such model', code: 'model_not_found' })
  t.match(error, { status: 404, statusCode: 404, expose: true, message: 'No such model', openai: { type: 'invalid_request_error', code: 'model_not_found', param: null } })
  t.match(plugin.describeThrown(error), { status: 404, code: 'model_not_found', upstream: false })
  t.equal(typeof plugin.createErrorHandler(), 'function')
})

t.test('registered on Fastify, it answers a 200 "No models available" body with 404', async (t) => {
  const app = Fastify()
  t.teardown(() => app.close())
  await app.register(plugin)
  app.get('/v1/models/nope', async () => noModels)

  const response = await app.inject('/v1/models/nope')
  t.equal(response.statusCode, 404)
  t.same(response.json(), noModels, 'the body goes out as it came')
})

t.test('createErrorHandler() works as the error handler of an app that set its own', async (t) => {
  const app = Fastify()
  t.teardown(() => app.close())
  await app.register(plugin, { errorHandler: false })
  app.setErrorHandler(plugin.createErrorHandler())
  app.get('/v1/models/nope', async () => { throw plugin.openaiError(404, { message: 'No such model', code: 'model_not_found' }) })

  const response = await app.inject('/v1/models/nope')
  t.equal(response.statusCode, 404)
  t.same(response.json(), { error: { message: 'No such model', type: 'invalid_request_error', param: null, code: 'model_not_found' } })
})
