import t, { type Test } from 'tap'
import type { FastifyInstance, FastifyPluginCallback, FastifyServerOptions, LightMyRequestResponse } from 'fastify'
import createError from '@fastify/error'
import createHttpError from 'http-errors'
import type { createErrorHandler as CreateErrorHandler } from '../lib/fastify/error-handler'
import type { PluginOptions } from '../lib/settings/options'
import { refusedOrigin, startUpstream, type Teardown } from './helpers/upstream'
import { buildGateway, captureLog, type LogLine } from './helpers/gateway'

// lib/index.ts assigns module.exports (the Fastify plugins' CommonJS pattern), so it is required, not imported.
const openaiErrors: FastifyPluginCallback<PluginOptions> & { createErrorHandler: typeof CreateErrorHandler } = require('../lib/index')

const JSON_TYPE = 'application/json; charset=utf-8'
const GENERIC_500 = 'The server had an error while processing your request.'

/** The OpenAI error body of a response, after checking it was sent as JSON. */
function errorBody (t: Test, res: LightMyRequestResponse): unknown {
  t.equal(res.headers['content-type'], JSON_TYPE, 'sent as JSON')
  return res.json()
}

const chatSchema = {
  body: {
    type: 'object',
    required: ['model', 'messages'],
    properties: {
      model: { type: 'string' },
      messages: {
        type: 'array',
        items: {
          type: 'object',
          required: ['role', 'content'],
          properties: { role: { enum: ['system', 'user', 'assistant'] }, content: { type: 'string' } }
        }
      }
    }
  }
}

async function chatGateway (t: Teardown, server: FastifyServerOptions = {}): Promise<FastifyInstance> {
  const app = await buildGateway(t, { server })
  app.post('/v1/chat/completions', { schema: chatSchema }, async () => ({ id: 'chatcmpl-1', choices: [] }))
  return app
}

t.test('validation: a missing required field is a 400 naming it as param', async (t) => {
  const app = await chatGateway(t)
  const res = await app.inject({ method: 'POST', url: '/v1/chat/completions', payload: { messages: [] } })
  t.equal(res.statusCode, 400)
  t.same(errorBody(t, res), {
    error: {
      message: "body must have required property 'model'",
      type: 'invalid_request_error',
      param: 'model',
      code: 'missing_required_parameter'
    }
  })
})

t.test('validation: a bad nested value is named the OpenAI way, messages[0].role', async (t) => {
  const app = await chatGateway(t)
  const res = await app.inject({
    method: 'POST',
    url: '/v1/chat/completions',
    payload: { model: 'gpt-4o', messages: [{ role: 'wizard', content: 'hi' }] }
  })
  t.equal(res.statusCode, 400)
  t.same(errorBody(t, res), {
    error: {
      message: 'body/messages/0/role must be equal to one of the allowed values',
      type: 'invalid_request_error',
      param: 'messages[0].role',
      code: 'invalid_value'
    }
  })
})

t.test('validation: a nested missing field is named with its parent path', async (t) => {
  const app = await chatGateway(t)
  const res = await app.inject({ method: 'POST', url: '/v1/chat/completions', payload: { model: 'gpt-4o', messages: [{ role: 'user' }] } })
  t.equal(res.statusCode, 400)
  t.match(errorBody(t, res), { error: { param: 'messages[0].content', code: 'missing_required_parameter' } })
})

t.test('validation: a body of the wrong type names no param', async (t) => {
  const app = await chatGateway(t)
  const res = await app.inject({ method: 'POST', url: '/v1/chat/completions', headers: { 'content-type': 'application/json' }, payload: '[1,2]' })
  t.equal(res.statusCode, 400)
  t.same(errorBody(t, res), {
    error: { message: 'body must be object', type: 'invalid_request_error', param: null, code: 'invalid_type' }
  })
})

t.test('a body that is not valid JSON is a 400 invalid_json', async (t) => {
  const app = await chatGateway(t)
  const res = await app.inject({ method: 'POST', url: '/v1/chat/completions', headers: { 'content-type': 'application/json' }, payload: '{"model": "gpt-4o",' })
  t.equal(res.statusCode, 400)
  t.same(errorBody(t, res), {
    error: {
      message: 'We could not parse the JSON body of your request. Please send valid JSON.',
      type: 'invalid_request_error',
      param: null,
      code: 'invalid_json'
    }
  })
})

t.test('an empty JSON body is a 400 invalid_json', async (t) => {
  const app = await chatGateway(t)
  const res = await app.inject({ method: 'POST', url: '/v1/chat/completions', headers: { 'content-type': 'application/json' }, payload: '' })
  t.equal(res.statusCode, 400)
  t.same(errorBody(t, res), {
    error: { message: 'The request body is empty. Please send a JSON body.', type: 'invalid_request_error', param: null, code: 'invalid_json' }
  })
})

t.test('a body over the body limit is a 413', async (t) => {
  const app = await chatGateway(t, { bodyLimit: 64 })
  const res = await app.inject({ method: 'POST', url: '/v1/chat/completions', payload: { model: 'gpt-4o', messages: [{ role: 'user', content: 'x'.repeat(200) }] } })
  t.equal(res.statusCode, 413)
  t.same(errorBody(t, res), {
    error: { message: 'Request body is too large', type: 'request_too_large', param: null, code: 'request_too_large' }
  })
})

t.test('a content type with no parser is a 415', async (t) => {
  const app = await chatGateway(t)
  const res = await app.inject({ method: 'POST', url: '/v1/chat/completions', headers: { 'content-type': 'application/xml' }, payload: '<model/>' })
  t.equal(res.statusCode, 415)
  t.same(errorBody(t, res), {
    error: { message: 'Unsupported Media Type', type: 'invalid_request_error', param: null, code: 'unsupported_media_type' }
  })
})

t.test('an http-errors 4xx keeps its status and shows its message', async (t) => {
  const app = await buildGateway(t)
  app.get('/v1/files/:id', async () => { throw createHttpError(404, 'No such File object: file-abc') })
  const res = await app.inject('/v1/files/file-abc')
  t.equal(res.statusCode, 404)
  t.same(errorBody(t, res), {
    error: { message: 'No such File object: file-abc', type: 'not_found_error', param: null, code: null }
  })
})

t.test('an http-errors 5xx keeps its status and hides its message', async (t) => {
  const app = await buildGateway(t)
  app.get('/v1/models', async () => { throw createHttpError(503, 'redis at 10.0.0.3:6379 is down') })
  const res = await app.inject('/v1/models')
  t.equal(res.statusCode, 503)
  t.same(errorBody(t, res), {
    error: { message: 'The service is temporarily unavailable. Please retry.', type: 'service_unavailable_error', param: null, code: null }
  })
})

t.test('an http-errors 5xx marked expose: true shows its message', async (t) => {
  const app = await buildGateway(t)
  app.get('/v1/models', async () => { throw createHttpError(503, 'Maintenance until 12:00 UTC.', { expose: true }) })
  const res = await app.inject('/v1/models')
  t.equal(res.statusCode, 503)
  t.same(errorBody(t, res), {
    error: { message: 'Maintenance until 12:00 UTC.', type: 'service_unavailable_error', param: null, code: null }
  })
})

t.test("an http-errors error's headers are sent, as Fastify's own handler sends them", async (t) => {
  const app = await buildGateway(t)
  app.post('/v1/embeddings', async () => { throw createHttpError(429, 'Rate limit reached for requests', { headers: { 'retry-after': '3' } }) })
  const res = await app.inject({ method: 'POST', url: '/v1/embeddings' })
  t.equal(res.statusCode, 429)
  t.equal(res.headers['retry-after'], '3')
  t.same(errorBody(t, res), {
    error: { message: 'Rate limit reached for requests', type: 'rate_limit_error', param: null, code: null }
  })
})

t.test('an @fastify/error 4xx keeps its status, message and code', async (t) => {
  const QuotaError = createError<[number]>('QUOTA_EXCEEDED', 'Monthly quota of %s tokens used', 402)
  const app = await buildGateway(t)
  app.post('/v1/completions', async () => { throw new QuotaError(1000000) })
  const res = await app.inject({ method: 'POST', url: '/v1/completions' })
  t.equal(res.statusCode, 402)
  t.same(errorBody(t, res), {
    error: { message: 'Monthly quota of 1000000 tokens used', type: 'insufficient_quota', param: null, code: 'QUOTA_EXCEEDED' }
  })
})

t.test('an @fastify/error 5xx hides its message', async (t) => {
  const StoreError = createError<[string]>('STORE_DOWN', 'Cannot open %s', 500)
  const app = await buildGateway(t)
  app.get('/v1/batches', async () => { throw new StoreError('/var/lib/gateway/batches.db') })
  const res = await app.inject('/v1/batches')
  t.equal(res.statusCode, 500)
  t.same(errorBody(t, res), { error: { message: GENERIC_500, type: 'server_error', param: null, code: 'STORE_DOWN' } })
})

t.test('any other error is a 500 with no stack, internal message or file path in the body', async (t) => {
  const app = await buildGateway(t)
  app.get('/v1/models', async () => {
    throw new Error("ENOENT: no such file or directory, open '/srv/gateway/models.json'")
  })
  const res = await app.inject('/v1/models')
  t.equal(res.statusCode, 500)
  t.same(errorBody(t, res), { error: { message: GENERIC_500, type: 'server_error', param: null, code: null } })
  t.notMatch(res.body, /ENOENT|\/srv|\.ts|\.js|at /)
})

t.test('a route that calls an upstream with fetch and is refused answers 502', async (t) => {
  const origin = await refusedOrigin()
  const app = await buildGateway(t)
  app.get('/v1/models', async () => await fetch(`${origin}/v1/models`))
  const res = await app.inject('/v1/models')
  t.equal(res.statusCode, 502)
  t.same(errorBody(t, res), {
    error: {
      message: 'The upstream service could not be reached or sent an invalid response.',
      type: 'bad_gateway_error',
      param: null,
      code: 'upstream_unavailable'
    }
  })
})

t.test('a route whose fetch to an upstream that resets the connection answers 502', async (t) => {
  const upstream = await startUpstream(t, 'reset')
  const app = await buildGateway(t)
  app.get('/v1/models', async () => await fetch(`${upstream.url}/v1/models`))
  const res = await app.inject('/v1/models')
  t.equal(res.statusCode, 502)
  t.match(errorBody(t, res), { error: { code: 'upstream_unavailable' } })
})

t.test('a route whose fetch to a stalling upstream times out answers 504', async (t) => {
  const upstream = await startUpstream(t, 'stall')
  const app = await buildGateway(t)
  app.get('/v1/models', async () => await fetch(`${upstream.url}/v1/models`, { signal: AbortSignal.timeout(100) }))
  const res = await app.inject('/v1/models')
  t.equal(res.statusCode, 504)
  t.same(errorBody(t, res), {
    error: { message: 'The upstream service did not answer in time.', type: 'timeout_error', param: null, code: 'upstream_timeout' }
  })
  t.equal(upstream.requests.length, 1, 'the upstream did get the request')
})

t.test('a route with config.openaiErrors false gets Fastify\'s default error handling', async (t) => {
  const app = await buildGateway(t)
  app.get('/legacy', { config: { openaiErrors: false } }, async () => { throw createHttpError(418, 'I am a teapot') })
  const res = await app.inject('/legacy')
  t.equal(res.statusCode, 418)
  t.equal(res.headers['content-type'], JSON_TYPE)
  t.same(res.json(), { statusCode: 418, error: "I'm a Teapot", message: 'I am a teapot' })
})

t.test('a route with config.openaiErrors false gets Fastify\'s default for an application-wide onRequest hook\'s error too', async (t) => {
  const app = await buildGateway(t)
  app.addHook('onRequest', async (request) => {
    if (request.headers.authorization === undefined) throw createHttpError(401, 'Missing credentials')
  })
  app.get('/legacy', { config: { openaiErrors: false } }, async () => 'ok')
  const res = await app.inject('/legacy')
  t.equal(res.statusCode, 401)
  t.equal(res.headers['content-type'], JSON_TYPE)
  t.same(res.json(), { statusCode: 401, error: 'Unauthorized', message: 'Missing credentials' })
})

t.test('a route with per-route options still gets OpenAI-shaped errors', async (t) => {
  const app = await buildGateway(t)
  app.get('/v1/models', { config: { openaiErrors: { rewriteBody: true } } }, async () => { throw createHttpError(401, 'Incorrect API key provided') })
  const res = await app.inject('/v1/models')
  t.equal(res.statusCode, 401)
  t.same(errorBody(t, res), { error: { message: 'Incorrect API key provided', type: 'authentication_error', param: null, code: null } })
})

t.test('the body the handler built is not re-classified by the onSend hook', async (t) => {
  // With correctErrorStatus, onSend would turn a body saying "exceeded your current quota" into a 429.
  const app = await buildGateway(t, { plugin: { correctErrorStatus: true, rewriteBody: true } })
  app.post('/v1/fine_tuning/jobs', async () => { throw createHttpError(400, 'Your plan exceeded your current quota of fine-tuning jobs; delete one first') })
  const res = await app.inject({ method: 'POST', url: '/v1/fine_tuning/jobs' })
  t.equal(res.statusCode, 400)
  t.match(errorBody(t, res), { error: { type: 'invalid_request_error' } })
})

t.test("a user's error handler can handle its own errors and delegate the rest to createErrorHandler()", async (t) => {
  class BudgetError extends Error {}
  const app = await buildGateway(t, { plugin: { errorHandler: false } })
  const openaiHandler = openaiErrors.createErrorHandler()
  app.setErrorHandler(function (error, request, reply) {
    if (error instanceof BudgetError) return reply.code(402).send({ budget: 'exhausted' })
    return openaiHandler.call(this, error, request, reply)
  })
  app.get('/budget', async () => { throw new BudgetError('over budget') })
  app.get('/missing', async () => { throw createHttpError(404, 'No such assistant') })

  const own = await app.inject('/budget')
  t.equal(own.statusCode, 402)
  t.same(own.json(), { budget: 'exhausted' })

  const delegated = await app.inject('/missing')
  t.equal(delegated.statusCode, 404)
  t.same(errorBody(t, delegated), { error: { message: 'No such assistant', type: 'not_found_error', param: null, code: null } })
})

t.test('errorHandler: false leaves Fastify\'s default error handler in place', async (t) => {
  const app = await buildGateway(t, { plugin: { errorHandler: false } })
  app.get('/v1/models', async () => { throw createHttpError(404, 'No such model') })
  const res = await app.inject('/v1/models')
  t.equal(res.statusCode, 404)
  t.same(res.json(), { statusCode: 404, error: 'Not Found', message: 'No such model' })
})

async function loggedGateway (t: Teardown): Promise<{ app: FastifyInstance, lines: LogLine[] }> {
  const { logger, lines } = captureLog('info')
  const app = await buildGateway(t, { server: { logger } })
  return { app, lines }
}

// Fastify's own error handler still answers first and logs as it always does; the plugin only replaces its body.
t.test('a 5xx is logged at error level with the error and its stack', async (t) => {
  const { app, lines } = await loggedGateway(t)
  app.get('/v1/models', async () => { throw new Error('pool exhausted') })
  const res = await app.inject('/v1/models')
  t.equal(res.statusCode, 500)
  t.equal(res.json().error.message, 'The server had an error while processing your request.', 'the client does not see it')
  const logged = lines.filter((line) => line.err !== undefined)
  t.equal(logged.length, 1)
  t.equal(logged[0].level, 50)
  t.equal(logged[0].res?.statusCode, 500)
  t.equal(logged[0].err?.message, 'pool exhausted')
  t.match(logged[0].err?.stack, /pool exhausted\n\s+at /)
})

t.test('a 4xx is logged at info level, not as an error', async (t) => {
  const { app, lines } = await loggedGateway(t)
  app.get('/v1/models/:id', async () => { throw createHttpError(404, 'No such model') })
  const res = await app.inject('/v1/models/gpt-9')
  t.equal(res.statusCode, 404)
  t.same(lines.filter((line) => line.level >= 40), [], 'nothing at warn or above')
  const logged = lines.filter((line) => line.err !== undefined)
  t.equal(logged.length, 1)
  t.equal(logged[0].level, 30)
  t.equal(logged[0].res?.statusCode, 404)
  t.equal(logged[0].err?.message, 'No such model')
})
