import t from 'tap'
import OpenAI from 'openai'
import Anthropic from '@anthropic-ai/sdk'
import { APICallError, generateText, RetryError } from 'ai'
import { createOpenAICompatible } from '@ai-sdk/openai-compatible'
import { addressOf, buildGateway } from './helpers/gateway'
import { startUpstream, type Teardown } from './helpers/upstream'

// Real clients (openai, @anthropic-ai/sdk, the AI SDK) over real sockets, against a reply-from gateway in
// front of an upstream that answers 200 with an error envelope. With the plugin each client raises its typed
// error with the right status, and retries (or not) as the headers say; without it the same call "succeeds".

interface Proxied {
  /** The gateway's origin, `http://127.0.0.1:<port>`. */
  gateway: string
  /** How many requests reached the upstream. */
  calls: () => number
}

/** An upstream that answers every request 200 with `body` as JSON, behind a gateway with the plugin or without. */
async function proxied (t: Teardown, body: unknown, withPlugin: boolean): Promise<Proxied> {
  let calls = 0
  const upstream = await startUpstream(t, (req, res) => {
    req.resume()
    req.on('end', () => {
      calls++
      res.writeHead(200, { 'content-type': 'application/json' })
      res.end(JSON.stringify(body))
    })
  })
  const gateway = await buildGateway(t, { plugin: withPlugin ? {} : false, upstream: upstream.url, listen: true })
  return { gateway: addressOf(gateway), calls: () => calls }
}

/** The settled outcome of a promise: what it resolved to, or what it threw. */
async function settle<T> (promise: Promise<T>): Promise<{ value?: T, error?: unknown }> {
  try {
    return { value: await promise }
  } catch (error) {
    return { error }
  }
}

// --- openai SDK, non-streaming chat.completions.create ---

function openaiClient (gateway: string, maxRetries = 0): OpenAI {
  return new OpenAI({ baseURL: `${gateway}/v1`, apiKey: 'sk-test', maxRetries })
}

async function chat (client: OpenAI): Promise<{ value?: unknown, error?: unknown }> {
  return await settle(client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }))
}

const RATE_LIMIT = { error: { message: 'Rate limit reached for gpt-4o-mini in organization org-test on requests per min (RPM): Limit 3, Used 3, Requested 1. Please try again in 50ms.', type: 'requests', param: null, code: 'rate_limit_exceeded' } }
const QUOTA = { error: { message: 'You exceeded your current quota, please check your plan and billing details. Please try again in 50ms.', type: 'insufficient_quota', param: null, code: 'insufficient_quota' } }

const openaiCases: Array<[string, unknown, new (...args: any[]) => Error, number]> = [
  ['unknown model (LiteLLM "No models available")', { error: { message: 'No models available for selected model_name=totally-nonexistent-model-xyz', type: 'invalid_request_error' } }, OpenAI.NotFoundError, 404],
  ['rate limit', RATE_LIMIT, OpenAI.RateLimitError, 429],
  ['bad key (invalid_api_key)', { error: { message: 'Incorrect API key provided: sk-test. You can find your API key at https://platform.openai.com/account/api-keys.', type: 'invalid_request_error', param: null, code: 'invalid_api_key' } }, OpenAI.AuthenticationError, 401],
  ['context length', { error: { message: "This model's maximum context length is 128000 tokens. However, your messages resulted in 130000 tokens. Please reduce the length of the messages.", type: 'invalid_request_error', param: 'messages', code: 'context_length_exceeded' } }, OpenAI.BadRequestError, 400],
  ['Anthropic-style overloaded', { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } }, OpenAI.InternalServerError, 529],
  ['vLLM flat overloaded', { object: 'error', message: 'The server is overloaded', type: 'ServiceUnavailableError', param: null, code: 503 }, OpenAI.InternalServerError, 503]
]

for (const [what, body, ErrorClass, status] of openaiCases) {
  t.test(`openai: a 200 ${what} raises ${ErrorClass.name} ${status}`, async (t) => {
    const { gateway, calls } = await proxied(t, body, true)
    const { error } = await chat(openaiClient(gateway))
    t.type(error, ErrorClass)
    t.equal((error as InstanceType<typeof OpenAI.APIError>).status, status)
    t.equal(calls(), 1)
  })

  t.test(`openai without the plugin: the same 200 ${what} resolves as if it were a completion`, async (t) => {
    const { gateway } = await proxied(t, body, false)
    const { value, error } = await chat(openaiClient(gateway))
    t.equal(error, undefined, 'nothing thrown')
    t.notOk(error instanceof ErrorClass)
    t.same(value, body, 'the error envelope, handed back as the completion')
    t.equal((value as { choices?: unknown }).choices, undefined, 'no choices')
  })
}

t.test('openai: RateLimitError carries the derived wait and the upstream status in its headers', async (t) => {
  const { gateway } = await proxied(t, RATE_LIMIT, true)
  const { error } = await chat(openaiClient(gateway))
  t.type(error, OpenAI.RateLimitError)
  const headers = (error as InstanceType<typeof OpenAI.RateLimitError>).headers
  t.equal(headers.get('retry-after-ms'), '50', 'from "Please try again in 50ms"')
  t.equal(headers.get('retry-after'), '1', 'whole seconds, rounded up')
  t.equal(headers.get('x-upstream-status'), '200')
  t.equal(headers.get('x-should-retry'), null, 'the table says nothing either way about a rate limit')
})

t.test('openai: a 429 is retried, after the derived wait, as often as maxRetries allows', async (t) => {
  const { gateway, calls } = await proxied(t, RATE_LIMIT, true)
  const client = openaiClient(gateway, 2)
  // The SDK computes its own backoff (0.5 s and up) only when the response states no wait.
  let ownBackoff = 0
  const internals = client as unknown as { calculateDefaultRetryTimeoutMillis: (...args: unknown[]) => number }
  const original = internals.calculateDefaultRetryTimeoutMillis.bind(client)
  internals.calculateDefaultRetryTimeoutMillis = (...args: unknown[]) => { ownBackoff++; return original(...args) }
  const { error } = await chat(client)
  t.type(error, OpenAI.RateLimitError)
  t.equal(calls(), 3, 'the first call and two retries')
  t.equal(ownBackoff, 0, 'every wait came from retry-after-ms')
})

t.test('openai without the plugin: the same rate limit is never retried', async (t) => {
  const { gateway, calls } = await proxied(t, RATE_LIMIT, false)
  const { error } = await chat(openaiClient(gateway, 2))
  t.equal(error, undefined)
  t.equal(calls(), 1)
})

t.test('openai: insufficient_quota is a RateLimitError that is not retried (x-should-retry: false)', async (t) => {
  const { gateway, calls } = await proxied(t, QUOTA, true)
  const { error } = await chat(openaiClient(gateway, 2))
  t.type(error, OpenAI.RateLimitError)
  const apiError = error as InstanceType<typeof OpenAI.RateLimitError>
  t.equal(apiError.status, 429)
  t.equal(apiError.code, 'insufficient_quota')
  t.equal(apiError.headers.get('x-should-retry'), 'false')
  t.equal(apiError.headers.get('retry-after-ms'), null, 'no wait offered for what waiting cannot fix')
  t.equal(calls(), 1, 'one call even with maxRetries: 2')
})

// --- @anthropic-ai/sdk on the Messages API ---

function anthropicClient (gateway: string): Anthropic {
  return new Anthropic({ baseURL: gateway, apiKey: 'sk-ant-test', maxRetries: 0 })
}

async function message (client: Anthropic): Promise<{ value?: unknown, error?: unknown }> {
  return await settle(client.messages.create({ model: 'claude-sonnet-4-5', max_tokens: 16, messages: [{ role: 'user', content: 'hi' }] }))
}

const anthropicCases: Array<[string, string, new (...args: any[]) => Error, number]> = [
  ['overloaded_error', 'Overloaded', Anthropic.OverloadedError, 529],
  ['rate_limit_error', 'Number of request tokens has exceeded your per-minute rate limit', Anthropic.RateLimitError, 429],
  ['not_found_error', 'model: claude-9', Anthropic.NotFoundError, 404],
  ['authentication_error', 'invalid x-api-key', Anthropic.AuthenticationError, 401]
]

for (const [type, text, ErrorClass, status] of anthropicCases) {
  const body = { type: 'error', error: { type, message: text } }

  t.test(`anthropic: a 200 ${type} on /v1/messages raises ${ErrorClass.name} ${status}`, async (t) => {
    const { gateway, calls } = await proxied(t, body, true)
    const { error } = await message(anthropicClient(gateway))
    t.type(error, ErrorClass)
    const apiError = error as InstanceType<typeof Anthropic.APIError>
    t.equal(apiError.status, status)
    t.equal(apiError.type, type, 'the body is in Anthropic\'s shape, with its type')
    t.equal(apiError.headers?.get('x-upstream-status'), '200')
    t.equal(calls(), 1)
  })

  t.test(`anthropic without the plugin: the same 200 ${type} resolves as if it were a message`, async (t) => {
    const { gateway } = await proxied(t, body, false)
    const { value, error } = await message(anthropicClient(gateway))
    t.equal(error, undefined, 'nothing thrown')
    t.same(value, body, 'the error envelope, handed back as the message')
    t.equal((value as { content?: unknown }).content, undefined, 'no content')
  })
}

t.test('anthropic: OverloadedError is an InternalServerError, as code that predates it expects', async (t) => {
  const { gateway } = await proxied(t, { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } }, true)
  const { error } = await message(anthropicClient(gateway))
  t.type(error, Anthropic.InternalServerError)
})

// --- AI SDK: generateText through @ai-sdk/openai-compatible ---

async function generate (gateway: string, maxRetries = 0): Promise<{ value?: unknown, error?: unknown }> {
  const provider = createOpenAICompatible({ name: 'gateway', baseURL: `${gateway}/v1`, apiKey: 'sk-test' })
  return await settle(generateText({ model: provider.chatModel('gpt-4o-mini'), prompt: 'hi', maxRetries }))
}

const NO_MODELS = openaiCases[0][1]

const aiCases: Array<[string, unknown, number, boolean]> = [
  ['unknown model (LiteLLM)', NO_MODELS, 404, false],
  ['rate limit', RATE_LIMIT, 429, true]
]

for (const [what, body, status, retryable] of aiCases) {
  t.test(`ai sdk: a 200 ${what} raises APICallError ${status}, isRetryable ${String(retryable)}`, async (t) => {
    const { gateway } = await proxied(t, body, true)
    const { error } = await generate(gateway)
    t.ok(APICallError.isInstance(error), 'an APICallError')
    const callError = error as APICallError
    t.equal(callError.statusCode, status)
    t.equal(callError.isRetryable, retryable)
    t.equal(callError.responseHeaders?.['x-upstream-status'], '200')
  })

  t.test(`ai sdk without the plugin: the same 200 ${what} is a schema failure on a 200, not a ${status}`, async (t) => {
    const { gateway } = await proxied(t, body, false)
    const { error } = await generate(gateway)
    // The provider parses the envelope as a chat completion, fails validation, and reports that as an
    // APICallError "Invalid JSON response" with the status it saw: 200, and nothing to retry.
    t.ok(APICallError.isInstance(error))
    const callError = error as APICallError
    t.equal(callError.statusCode, 200)
    t.not(callError.statusCode, status)
    t.equal(callError.isRetryable, false)
    t.match(callError.message, /invalid json response/i)
    t.equal((callError.cause as Error | undefined)?.name, 'AI_TypeValidationError')
  })
}

t.test('ai sdk: a 429 is retried after the derived wait, then reported as RetryError', async (t) => {
  const { gateway, calls } = await proxied(t, RATE_LIMIT, true)
  // Without a stated wait the AI SDK backs off 2 s, then 4 s; retry-after-ms: 50 keeps this fast.
  const { error } = await generate(gateway, 2)
  t.ok(RetryError.isInstance(error), 'a RetryError')
  const retryError = error as RetryError
  t.equal(retryError.reason, 'maxRetriesExceeded')
  t.equal(calls(), 3, 'the first call and two retries')
  t.ok(APICallError.isInstance(retryError.lastError))
  t.equal((retryError.lastError as APICallError).statusCode, 429)
})
