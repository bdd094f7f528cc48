import t from 'tap'
import { dialectOf } from '../lib/output/dialect'
import { anthropicErrorBody } from '../lib/output/body'
import { appWith, echoRoute } from './helpers/app'
import { buildGateway } from './helpers/gateway'
import { openaiError } from '../lib/output/openai-error'

t.test('auto: the Messages API speaks Anthropic, everything else OpenAI', async (t) => {
  for (const url of ['/v1/messages', '/v1/messages?beta=true', '/anthropic/v1/messages', '/v1/messages/count_tokens', '/v1/messages/batches/x']) {
    t.equal(dialectOf('auto', url), 'anthropic', url)
  }
  for (const url of ['/v1/chat/completions', '/v1/messagesx', '/v1/responses', '/messages']) t.equal(dialectOf('auto', url), 'openai', url)
  t.equal(dialectOf('openai', '/v1/messages'), 'openai')
  t.equal(dialectOf('anthropic', '/v1/chat/completions'), 'anthropic')
})

t.test('Anthropic bodies use Anthropic type names: the status decides, else a given Anthropic name is kept', async (t) => {
  const body = (status: number, type: string): unknown => JSON.parse(anthropicErrorBody(status, { message: 'm', type, param: null, code: null }))
  t.same(body(429, 'rate_limit_exceeded'), { type: 'error', error: { type: 'rate_limit_error', message: 'm' } })
  t.same(body(529, 'service_unavailable_error'), { type: 'error', error: { type: 'overloaded_error', message: 'm' } })
  t.same(body(404, 'invalid_request_error'), { type: 'error', error: { type: 'not_found_error', message: 'm' } }, 'the status decides')
  t.same(body(422, 'rate_limit_error'), { type: 'error', error: { type: 'rate_limit_error', message: 'm' } }, 'an Anthropic name is kept where the status has none')
  t.same(body(418, 'teapot'), { type: 'error', error: { type: 'invalid_request_error', message: 'm' } })
  t.same(body(502, 'bad_gateway_error'), { type: 'error', error: { type: 'api_error', message: 'm' } })
})

t.test('on /v1/messages, rewritten bodies, thrown errors and unknown routes come in the Anthropic shape', async (t) => {
  const app = await appWith({ rewriteBody: true })
  echoRoute(app, '/v1/messages', '{"error":{"message":"Rate limit reached","code":"rate_limit_exceeded"}}', { contentType: 'application/json' })
  app.post('/v1/messages', async () => { throw openaiError(404, { message: 'model: claude-9', code: 'model_not_found' }) })
  const rewritten = await app.inject('/v1/messages')
  t.equal(rewritten.statusCode, 429)
  t.same(rewritten.json(), { type: 'error', error: { type: 'rate_limit_error', message: 'Rate limit reached' } })
  const thrown = await app.inject({ method: 'POST', url: '/v1/messages' })
  t.equal(thrown.statusCode, 404)
  t.same(thrown.json(), { type: 'error', error: { type: 'not_found_error', message: 'model: claude-9' } })
  const unknown = await app.inject('/v1/messages/nope')
  t.equal(unknown.statusCode, 404)
  t.same(unknown.json(), { type: 'error', error: { type: 'not_found_error', message: 'Invalid URL (GET /v1/messages/nope)' } })
  const openai = await app.inject('/v1/nope')
  t.same(openai.json(), { error: { message: 'Invalid URL (GET /v1/nope)', type: 'invalid_request_error', param: null, code: 'unknown_url' } })
})

t.test('a route can choose its dialect', async (t) => {
  const app = await appWith({ rewriteBody: true })
  echoRoute(app, '/claude', '{"error":"Overloaded"}', { contentType: 'application/json', config: { openaiErrors: { dialect: 'anthropic' } } })
  const res = await app.inject('/claude')
  t.equal(res.statusCode, 503)
  t.same(res.json(), { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } })
})

t.test('an invalid dialect fails registration', async (t) => {
  await t.rejects(appWith({ dialect: 'gemini' }), { code: 'FST_OPENAI_ERRORS_INVALID_OPTION', message: /option "dialect" must be one of "auto", "openai", "anthropic", got "gemini"/ })
})

t.test('createErrorHandler takes the plugin options, validated the same way', async (t) => {
  const { createErrorHandler } = await import('../lib/fastify/error-handler')
  const app = await buildGateway(t, { plugin: false })
  app.setErrorHandler(createErrorHandler({ dialect: 'anthropic' }))
  app.get('/x', async () => { throw openaiError(429, 'slow down') })
  const res = await app.inject('/x')
  t.same(res.json(), { type: 'error', error: { type: 'rate_limit_error', message: 'slow down' } })
  t.throws(() => createErrorHandler({ dialect: 'x' }), { code: 'FST_OPENAI_ERRORS_INVALID_OPTION' })
})

t.test('Anthropic bodies are redacted like OpenAI ones', async (t) => {
  const body = JSON.parse(anthropicErrorBody(401, { message: 'invalid x-api-key: sk-ant-api03-abcdefghijklmnopqrstuvwxyz0123456789', type: 'authentication_error', param: null, code: null }))
  t.notMatch(body.error.message, /abcdefghijklmnop/)
})
