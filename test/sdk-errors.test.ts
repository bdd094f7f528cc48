import t, { type Test } from 'tap'
import type { FastifyInstance, LightMyRequestResponse } from 'fastify'
import OpenAI from 'openai'
import Anthropic from '@anthropic-ai/sdk'
import { generateText } from 'ai'
import { createOpenAICompatible } from '@ai-sdk/openai-compatible'
import { refusedOrigin, startUpstream, type Teardown, type UpstreamBehaviour } from './helpers/upstream'
import { buildGateway } from './helpers/gateway'

// Each gateway route calls a real upstream on 127.0.0.1 through a real SDK client (no retries); the error the
// SDK throws reaches the plugin's error handler as it would in production.

const JSON_TYPE = 'application/json; charset=utf-8'

/** The client timeout: short against a stalling upstream, long otherwise so a slow machine cannot turn a 404 into a 504. */
const timeoutFor = (behaviour: UpstreamBehaviour | 'refused'): number => behaviour === 'stall' ? 150 : 10_000

/** The plugin's app with a POST /v1/chat/completions route that runs `route`. */
async function gatewayCalling (t: Teardown, route: () => Promise<unknown>): Promise<FastifyInstance> {
  const app = await buildGateway(t)
  app.post('/v1/chat/completions', route)
  return app
}

async function call (app: FastifyInstance): Promise<LightMyRequestResponse> {
  return await app.inject({ method: 'POST', url: '/v1/chat/completions', payload: { model: 'gpt-4o', messages: [] } })
}

function errorBody (t: Test, res: LightMyRequestResponse): unknown {
  t.equal(res.headers['content-type'], JSON_TYPE, 'sent as JSON')
  return res.json()
}

/** An upstream origin for a behaviour; 'refused' is a port where nothing listens. */
async function upstreamOrigin (t: Teardown, behaviour: UpstreamBehaviour | 'refused'): Promise<string> {
  return behaviour === 'refused' ? await refusedOrigin() : (await startUpstream(t, behaviour)).url
}

const modelNotFound = {
  status: 404,
  body: {
    error: {
      message: 'The model `gpt-9` does not exist or you do not have access to it.',
      type: 'invalid_request_error',
      param: 'model',
      code: 'model_not_found'
    }
  }
}

const UPSTREAM_UNAVAILABLE = {
  error: {
    message: 'The upstream service could not be reached or sent an invalid response.',
    type: 'bad_gateway_error',
    param: null,
    code: 'upstream_unavailable'
  }
}

const UPSTREAM_TIMEOUT = {
  error: { message: 'The upstream service did not answer in time.', type: 'timeout_error', param: null, code: 'upstream_timeout' }
}

// --- openai ---

async function openaiGateway (t: Teardown, behaviour: UpstreamBehaviour | 'refused'): Promise<FastifyInstance> {
  const client = new OpenAI({ apiKey: 'sk-test', baseURL: `${await upstreamOrigin(t, behaviour)}/v1`, maxRetries: 0, timeout: timeoutFor(behaviour) })
  return await gatewayCalling(t, async () => await client.chat.completions.create({ model: 'gpt-9', messages: [{ role: 'user', content: 'hi' }] }))
}

t.test('openai: an upstream 404 model_not_found is a 404 with the upstream type, code, param and message', async (t) => {
  const res = await call(await openaiGateway(t, modelNotFound))
  t.equal(res.statusCode, 404)
  t.same(errorBody(t, res), modelNotFound.body)
})

t.test('openai: an upstream 429 keeps its status and its own type and code', async (t) => {
  const body = { error: { message: 'Rate limit reached for gpt-4o on requests per min (RPM): Limit 3.', type: 'requests', param: null, code: 'rate_limit_exceeded' } }
  const res = await call(await openaiGateway(t, { status: 429, body }))
  t.equal(res.statusCode, 429)
  t.same(errorBody(t, res), body)
})

t.test('openai: an upstream 500 keeps its status and hides the upstream message', async (t) => {
  const body = { error: { message: 'shard db-7.internal refused the write', type: 'server_error', param: null, code: null } }
  const res = await call(await openaiGateway(t, { status: 500, body }))
  t.equal(res.statusCode, 500)
  t.same(errorBody(t, res), {
    error: { message: 'The server had an error while processing your request.', type: 'server_error', param: null, code: null }
  })
})

t.test('openai: an upstream 404 whose error is a plain string keeps the string as the message', async (t) => {
  const res = await call(await openaiGateway(t, { status: 404, body: { error: 'model "llama9" not found, try pulling it first' } }))
  t.equal(res.statusCode, 404)
  t.same(errorBody(t, res), {
    error: { message: 'model "llama9" not found, try pulling it first', type: 'not_found_error', param: null, code: null }
  })
})

t.test("openai: an upstream proxy's HTML 502 page is a 502 with a generic message", async (t) => {
  const res = await call(await openaiGateway(t, { status: 502, body: '<html><body>502 Bad Gateway (nginx)</body></html>', headers: { 'content-type': 'text/html' } }))
  t.equal(res.statusCode, 502)
  t.same(errorBody(t, res), {
    error: { message: 'The upstream service could not be reached or sent an invalid response.', type: 'bad_gateway_error', param: null, code: null }
  })
})

t.test('openai: a refused connection is a 502', async (t) => {
  const res = await call(await openaiGateway(t, 'refused'))
  t.equal(res.statusCode, 502)
  t.same(errorBody(t, res), UPSTREAM_UNAVAILABLE)
})

t.test('openai: an upstream that resets the connection is a 502', async (t) => {
  const res = await call(await openaiGateway(t, 'reset'))
  t.equal(res.statusCode, 502)
  t.same(errorBody(t, res), UPSTREAM_UNAVAILABLE)
})

t.test('openai: a stalling upstream and the client timeout make a 504', async (t) => {
  const res = await call(await openaiGateway(t, 'stall'))
  t.equal(res.statusCode, 504)
  t.same(errorBody(t, res), UPSTREAM_TIMEOUT)
})

// --- @anthropic-ai/sdk ---

async function anthropicGateway (t: Teardown, behaviour: UpstreamBehaviour | 'refused'): Promise<FastifyInstance> {
  const client = new Anthropic({ apiKey: 'sk-ant-test', baseURL: await upstreamOrigin(t, behaviour), maxRetries: 0, timeout: timeoutFor(behaviour) })
  return await gatewayCalling(t, async () => await client.messages.create({ model: 'claude-9', max_tokens: 16, messages: [{ role: 'user', content: 'hi' }] }))
}

t.test('anthropic: an upstream 404 not_found_error is a 404 with the upstream type and message', async (t) => {
  const res = await call(await anthropicGateway(t, { status: 404, body: { type: 'error', error: { type: 'not_found_error', message: 'model: claude-9' } } }))
  t.equal(res.statusCode, 404)
  t.same(errorBody(t, res), { error: { message: 'model: claude-9', type: 'not_found_error', param: null, code: null } })
})

t.test('anthropic: an upstream 529 overloaded_error keeps its status and hides the upstream message', async (t) => {
  const res = await call(await anthropicGateway(t, { status: 529, body: { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded (node ap-7)' } } }))
  t.equal(res.statusCode, 529)
  t.same(errorBody(t, res), { error: { message: 'The service is overloaded. Please retry.', type: 'overloaded_error', param: null, code: null } })
})

t.test('anthropic: a refused connection is a 502', async (t) => {
  const res = await call(await anthropicGateway(t, 'refused'))
  t.equal(res.statusCode, 502)
  t.same(errorBody(t, res), UPSTREAM_UNAVAILABLE)
})

t.test('anthropic: a stalling upstream and the client timeout make a 504', async (t) => {
  const res = await call(await anthropicGateway(t, 'stall'))
  t.equal(res.statusCode, 504)
  t.same(errorBody(t, res), UPSTREAM_TIMEOUT)
})

// --- AI SDK (ai + @ai-sdk/openai-compatible) ---

async function aiGateway (t: Teardown, behaviour: UpstreamBehaviour | 'refused', maxRetries = 0): Promise<FastifyInstance> {
  const provider = createOpenAICompatible({ name: 'upstream', baseURL: `${await upstreamOrigin(t, behaviour)}/v1`, apiKey: 'sk-test' })
  return await gatewayCalling(t, async () => await generateText({
    model: provider.chatModel('gpt-9'),
    prompt: 'hi',
    maxRetries,
    abortSignal: AbortSignal.timeout(timeoutFor(behaviour))
  }))
}

t.test('AI SDK: an upstream 404 model_not_found is a 404 with the upstream type, code, param and message', async (t) => {
  const res = await call(await aiGateway(t, modelNotFound))
  t.equal(res.statusCode, 404)
  t.same(errorBody(t, res), modelNotFound.body)
})

t.test('AI SDK: an upstream 400 names the parameter the upstream named', async (t) => {
  const body = { error: { message: "Invalid value for 'temperature': must be at most 2.", type: 'invalid_request_error', param: 'temperature', code: 'invalid_value' } }
  const res = await call(await aiGateway(t, { status: 400, body }))
  t.equal(res.statusCode, 400)
  t.same(errorBody(t, res), body)
})

t.test('AI SDK: an upstream 200 whose body is not JSON is a 502', async (t) => {
  const res = await call(await aiGateway(t, { status: 200, body: 'upstream crashed mid-way' }))
  t.equal(res.statusCode, 502)
  t.same(errorBody(t, res), {
    error: { message: 'The upstream service could not be reached or sent an invalid response.', type: 'bad_gateway_error', param: null, code: null }
  })
})

t.test('AI SDK: a refused connection is a 502', async (t) => {
  const res = await call(await aiGateway(t, 'refused'))
  t.equal(res.statusCode, 502)
  t.same(errorBody(t, res), UPSTREAM_UNAVAILABLE)
})

t.test('AI SDK: an upstream that resets the connection is a 502', async (t) => {
  const res = await call(await aiGateway(t, 'reset'))
  t.equal(res.statusCode, 502)
  t.same(errorBody(t, res), UPSTREAM_UNAVAILABLE)
})

t.test('AI SDK: a stalling upstream and an AbortSignal.timeout make a 504', async (t) => {
  const res = await call(await aiGateway(t, 'stall'))
  t.equal(res.statusCode, 504)
  t.same(errorBody(t, res), UPSTREAM_TIMEOUT)
})

t.test("AI SDK: a RetryError is answered from its last attempt's error", async (t) => {
  // A RetryError needs retries: one, made immediate by the upstream's retry-after-ms.
  const body = { error: { message: 'Rate limit reached for requests', type: 'requests', param: null, code: 'rate_limit_exceeded' } }
  const upstream = await startUpstream(t, { status: 429, body, headers: { 'retry-after-ms': '1' } })
  const provider = createOpenAICompatible({ name: 'upstream', baseURL: `${upstream.url}/v1`, apiKey: 'sk-test' })
  let thrown: unknown
  const app = await gatewayCalling(t, async () => {
    try {
      return await generateText({ model: provider.chatModel('gpt-4o'), prompt: 'hi', maxRetries: 1 })
    } catch (error) {
      thrown = error
      throw error
    }
  })
  const res = await call(app)
  t.match(thrown, { name: 'AI_RetryError' }, 'the SDK threw a RetryError')
  t.equal(upstream.requests.length, 2, 'one retry was made')
  t.equal(res.statusCode, 429)
  t.same(errorBody(t, res), body)
})

// --- end to end: an OpenAI client in front of the gateway reads the error the gateway sends ---

t.test('an openai client calling the gateway gets a NotFoundError carrying the upstream code and param', async (t) => {
  const upstream = await startUpstream(t, modelNotFound)
  const toUpstream = new OpenAI({ apiKey: 'sk-test', baseURL: `${upstream.url}/v1`, maxRetries: 0 })
  const app = await gatewayCalling(t, async () => await toUpstream.chat.completions.create({ model: 'gpt-9', messages: [{ role: 'user', content: 'hi' }] }))
  const origin = await app.listen({ port: 0, host: '127.0.0.1' })
  const toGateway = new OpenAI({ apiKey: 'sk-test', baseURL: `${origin}/v1`, maxRetries: 0 })

  const error = await toGateway.chat.completions.create({ model: 'gpt-9', messages: [{ role: 'user', content: 'hi' }] }).then(
    () => t.fail('the call should have failed'),
    (error: unknown) => error
  )
  t.ok(error instanceof OpenAI.NotFoundError, 'a NotFoundError')
  t.match(error, {
    status: 404,
    code: 'model_not_found',
    param: 'model',
    type: 'invalid_request_error',
    message: '404 The model `gpt-9` does not exist or you do not have access to it.'
  })
})
