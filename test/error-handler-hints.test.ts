import t from 'tap'
import type { FastifyInstance } from 'fastify'
import OpenAI from 'openai'
import { generateText } from 'ai'
import { createOpenAICompatible } from '@ai-sdk/openai-compatible'
import { startUpstream, type Teardown } from './helpers/upstream'
import { buildGateway } from './helpers/gateway'

// Thrown SDK errors carry the upstream's answer: its retry headers and its error envelope. The error handler
// passes the wait on and asks the table whether retrying helps.

async function gatewayCalling (t: Teardown, call: () => Promise<unknown>): Promise<FastifyInstance> {
  const app = await buildGateway(t)
  app.post('/v1/chat/completions', call)
  return app
}

t.test('an openai SDK 429 passes the upstream retry-after on (a Headers object)', async (t) => {
  const upstream = await startUpstream(t, { status: 429, headers: { 'retry-after': '3' }, body: { error: { message: 'Rate limit reached', type: 'requests', code: 'rate_limit_exceeded' } } })
  const client = new OpenAI({ baseURL: upstream.url + '/v1', apiKey: 'sk-test', maxRetries: 0 })
  const app = await gatewayCalling(t, async () => await client.chat.completions.create({ model: 'm', messages: [] }))
  const res = await app.inject({ method: 'POST', url: '/v1/chat/completions' })
  t.equal(res.statusCode, 429)
  t.equal(res.headers['retry-after'], '3')
  t.equal(res.headers['retry-after-ms'], '3000')
})

t.test('an openai SDK 429 for insufficient_quota says not to retry', async (t) => {
  const upstream = await startUpstream(t, { status: 429, body: { error: { message: 'You exceeded your current quota. Try again in 20s', type: 'insufficient_quota', code: 'insufficient_quota' } } })
  const client = new OpenAI({ baseURL: upstream.url + '/v1', apiKey: 'sk-test', maxRetries: 0 })
  const app = await gatewayCalling(t, async () => await client.chat.completions.create({ model: 'm', messages: [] }))
  const res = await app.inject({ method: 'POST', url: '/v1/chat/completions' })
  t.equal(res.statusCode, 429)
  t.equal(res.headers['x-should-retry'], 'false')
  t.equal(res.headers['retry-after'], undefined)
})

t.test('an AI SDK APICallError passes on the wait its message states (responseHeaders is a plain object)', async (t) => {
  const upstream = await startUpstream(t, { status: 429, headers: { 'x-request-id': 'r1' }, body: { error: { message: 'Rate limit is exceeded. Try again in 2 seconds.', code: '429' } } })
  const provider = createOpenAICompatible({ name: 'up', baseURL: upstream.url + '/v1', apiKey: 'k' })
  const app = await gatewayCalling(t, async () => await generateText({ model: provider('m'), prompt: 'hi', maxRetries: 0 }))
  const res = await app.inject({ method: 'POST', url: '/v1/chat/completions' })
  t.equal(res.statusCode, 429)
  t.equal(res.headers['retry-after-ms'], '2000')
})

t.test('a thrown error without upstream headers gets no wait', async (t) => {
  const app = await gatewayCalling(t, async () => { throw Object.assign(new Error('slow down'), { statusCode: 429 }) })
  const res = await app.inject({ method: 'POST', url: '/v1/chat/completions' })
  t.equal(res.statusCode, 429)
  t.equal(res.headers['retry-after'], undefined)
  t.equal(res.headers['x-should-retry'], undefined)
})
