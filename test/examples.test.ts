import t from 'tap'
import { readFileSync } from 'node:fs'
import { createServer } from 'node:http'
import { join } from 'node:path'
import Fastify from 'fastify'
import type { AddressInfo } from 'node:net'
import type { FastifyInstance } from 'fastify'

// The examples are plain CommonJS JavaScript on the built dist/ (npm test builds first).
type Build = (opts?: Record<string, unknown>) => Promise<FastifyInstance>
const basicGateway: { build: Build } = require('../examples/basic-gateway.js')
const customRules: { build: Build, rules: Array<{ name: string }>, classifyOptions: object } = require('../examples/custom-rules.js')
const compose: { build: Build } = require('../examples/compose-error-handler.js')
const { classify } = require('..') as { classify: (body: unknown, options?: object) => { status: number, rule: string } | null }

interface Call { url: string, method: string, headers: Record<string, string>, body: string | undefined }

/** A fetch that answers every call with one upstream response and records the calls. */
function fakeUpstream (status: number, body: string, contentType = 'application/json') {
  const calls: Call[] = []
  const fetch = async (url: string, init: { method: string, headers: Record<string, string>, body?: string }) => {
    calls.push({ url, method: init.method, headers: init.headers, body: init.body })
    return new Response(body, { status, headers: { 'content-type': contentType } })
  }
  return { fetch, calls }
}

async function gatewayFor (t: tap.Test, build: Build, status: number, body: string, opts: Record<string, unknown> = {}, contentType?: string) {
  const upstream = fakeUpstream(status, body, contentType)
  const app = await build({ upstreamUrl: 'http://upstream.test/v1', fetch: upstream.fetch, ...opts })
  t.teardown(() => app.close())
  return { app, calls: upstream.calls }
}

const chat = (app: FastifyInstance, payload: object = { model: 'm', messages: [{ role: 'user', content: 'hi' }] }, headers: Record<string, string> = {}) =>
  app.inject({ method: 'POST', url: '/v1/chat/completions', payload, headers })

const litellmBody = '{"error":{"message":"No models available...","type":"invalid_request_error"}}'
const completionBody = '{"id":"chatcmpl-1","object":"chat.completion","created":1,"model":"m","choices":[{"index":0,"message":{"role":"assistant","content":"hi"},"finish_reason":"stop"}]}'

t.test('basic-gateway', async (t) => {
  t.test('forwards the request: URL under UPSTREAM_URL, method, JSON body, authorization', async (t) => {
    const { app, calls } = await gatewayFor(t, basicGateway.build, 200, completionBody)
    await chat(app, { model: 'gpt-4o-mini', messages: [] }, { authorization: 'Bearer sk-1' })
    t.equal(calls.length, 1)
    t.equal(calls[0].url, 'http://upstream.test/v1/chat/completions')
    t.equal(calls[0].method, 'POST')
    t.equal(calls[0].headers.authorization, 'Bearer sk-1')
    t.same(JSON.parse(calls[0].body ?? ''), { model: 'gpt-4o-mini', messages: [] })
  })

  t.test('GET /v1/models is forwarded without a body', async (t) => {
    const { app, calls } = await gatewayFor(t, basicGateway.build, 200, '{"object":"list","data":[]}')
    const res = await app.inject('/v1/models')
    t.equal(res.statusCode, 200)
    t.equal(calls[0].url, 'http://upstream.test/v1/models')
    t.equal(calls[0].body, undefined)
  })

  t.test('an error body the upstream answered with 200 leaves with its status and the same bytes', async (t) => {
    const { app } = await gatewayFor(t, basicGateway.build, 200, litellmBody)
    const res = await chat(app)
    t.equal(res.statusCode, 404)
    t.equal(res.body, litellmBody)
    t.match(res.headers['content-type'], /^application\/json/)
  })

  t.test('a completion passes untouched', async (t) => {
    const { app } = await gatewayFor(t, basicGateway.build, 200, completionBody)
    const res = await chat(app)
    t.equal(res.statusCode, 200)
    t.equal(res.body, completionBody)
  })

  t.test('an upstream error status is passed on as it is', async (t) => {
    const body = '{"error":{"message":"Rate limit reached","type":"requests","code":"rate_limit_exceeded"}}'
    const { app } = await gatewayFor(t, basicGateway.build, 429, body)
    const res = await chat(app)
    t.equal(res.statusCode, 429)
    t.equal(res.body, body)
  })

  t.test('openaiErrors options reach the plugin: rewriteBody sends the canonical OpenAI body', async (t) => {
    const { app } = await gatewayFor(t, basicGateway.build, 200, '{"error":"model \\"llama2\\" not found, try pulling it first"}', { openaiErrors: { rewriteBody: true } })
    const res = await chat(app)
    t.equal(res.statusCode, 404)
    t.same(res.json(), { error: { message: 'model "llama2" not found, try pulling it first', type: 'invalid_request_error', param: null, code: 'model_not_found' } })
  })

  t.test('stream: true sends the upstream body on as a stream; an error in it still gets its status, same bytes', async (t) => {
    const { app } = await gatewayFor(t, basicGateway.build, 200, litellmBody, { stream: true })
    const res = await chat(app)
    t.equal(res.statusCode, 404)
    t.equal(res.body, litellmBody)
  })

  t.test('stream: true passes a completion untouched', async (t) => {
    const { app } = await gatewayFor(t, basicGateway.build, 200, completionBody, { stream: true })
    const res = await chat(app)
    t.equal(res.statusCode, 200)
    t.equal(res.body, completionBody)
  })

  t.test('stream: true, SSE: an error as the first event answers its status as JSON', async (t) => {
    const sse = `data: ${litellmBody}\n\ndata: [DONE]\n\n`
    const { app } = await gatewayFor(t, basicGateway.build, 200, sse, { stream: true }, 'text/event-stream')
    const res = await chat(app, { model: 'totally-nonexistent-model-xyz', stream: true, messages: [] })
    t.equal(res.statusCode, 404)
    t.match(res.headers['content-type'], /^application\/json/)
    t.equal(res.body, litellmBody)
  })

  t.test('stream: true, SSE: a streamed completion passes byte for byte', async (t) => {
    const sse = ': ping\n\ndata: {"id":"c1","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":"hi"}}]}\n\ndata: [DONE]\n\n'
    const { app } = await gatewayFor(t, basicGateway.build, 200, sse, { stream: true }, 'text/event-stream')
    const res = await chat(app, { model: 'm', stream: true, messages: [] })
    t.equal(res.statusCode, 200)
    t.equal(res.body, sse)
  })

  t.test('an upstream that refuses the connection answers 502 upstream_unavailable', async (t) => {
    const closed = createServer()
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve))
    const { port } = closed.address() as AddressInfo
    await new Promise((resolve) => closed.close(resolve))
    const app = await basicGateway.build({ upstreamUrl: `http://127.0.0.1:${port}` })
    t.teardown(() => app.close())
    const res = await chat(app)
    t.equal(res.statusCode, 502)
    t.match(res.json(), { error: { type: 'bad_gateway_error', code: 'upstream_unavailable' } })
  })

  t.test('an upstream whose headers do not come within timeoutMs answers 504 upstream_timeout', async (t) => {
    // AbortSignal.timeout's timer does not keep the process alive; a real pending socket would.
    const hanging = (_url: string, init: { signal: AbortSignal }) => new Promise((_resolve, reject) => {
      const socket = setTimeout(() => reject(new Error('the gateway did not time out')), 5000)
      init.signal.addEventListener('abort', () => {
        clearTimeout(socket)
        reject(init.signal.reason)
      })
    })
    const app = await basicGateway.build({ upstreamUrl: 'http://upstream.test', fetch: hanging, timeoutMs: 20 })
    t.teardown(() => app.close())
    const res = await chat(app)
    t.equal(res.statusCode, 504)
    t.match(res.json(), { error: { type: 'timeout_error', code: 'upstream_timeout' } })
  })

  t.test('an unknown URL answers like OpenAI: 404 unknown_url', async (t) => {
    const { app } = await gatewayFor(t, basicGateway.build, 200, completionBody)
    const res = await app.inject('/v1/nope')
    t.equal(res.statusCode, 404)
    t.same(res.json(), { error: { message: 'Invalid URL (GET /v1/nope)', type: 'invalid_request_error', param: null, code: 'unknown_url' } })
  })
})

t.test('custom-rules', async (t) => {
  const cases = [
    { rule: 'acme.budget', body: '{"error":{"message":"Budget for team acme exhausted","type":"acme_budget_exceeded"}}', status: 402 },
    { rule: 'acme.maintenance', body: '{"error":{"message":"Down for maintenance","code":"MAINTENANCE"}}', status: 503 },
    { rule: 'acme.model-warming-up', body: '{"error":"llama3:70b: model is loading, retry in 30s"}', status: 503 },
    { rule: 'gemini.unsupported-location', body: '{"error":{"code":400,"message":"User location is not supported for the API use.","status":"FAILED_PRECONDITION"}}', status: 403 },
    { rule: 'ollama.out-of-memory', body: '{"error":"model requires more system memory (64.0 GiB) than is available (15.2 GiB)"}', status: 503 }
  ]

  t.test('the example has one rule per case here', async (t) => {
    t.same(customRules.rules.map((rule) => rule.name).sort(), cases.map((c) => c.rule).sort())
  })

  for (const c of cases) {
    t.test(`${c.rule}: a 200 answer with its body leaves the gateway as ${c.status}`, async (t) => {
      const { app } = await gatewayFor(t, customRules.build, 200, c.body)
      const res = await chat(app)
      t.equal(res.statusCode, c.status)
      t.equal(res.body, c.body)
      t.equal(classify(c.body, customRules.classifyOptions)?.rule, c.rule, 'classify() names the rule')
    })
  }

  t.test('the rules change what the default table would decide', async (t) => {
    t.equal(classify(cases[3].body)?.status, 400, 'Gemini FAILED_PRECONDITION is a 400 by default')
    t.equal(classify(cases[4].body)?.rule, 'fallback', 'the Ollama memory error is unknown to the default table')
  })

  t.test('the default rules still apply after the custom ones', async (t) => {
    const { app } = await gatewayFor(t, customRules.build, 200, litellmBody)
    t.equal((await chat(app)).statusCode, 404)
  })

  t.test('/explain answers the decision and is not itself remapped', async (t) => {
    const { app } = await gatewayFor(t, customRules.build, 200, completionBody)
    const res = await app.inject({ method: 'POST', url: '/explain', payload: { error: 'model is warming up' } })
    t.equal(res.statusCode, 200)
    t.match(res.json(), { decision: { status: 503, rule: 'acme.model-warming-up', type: 'service_unavailable_error' } })
    const none = await app.inject({ method: 'POST', url: '/explain', payload: JSON.parse(completionBody) })
    t.same(none.json(), { decision: null })
  })

  t.test('defaultRules: false keeps only the custom rules, the body\'s own status and the fallback', async (t) => {
    const { app } = await gatewayFor(t, customRules.build, 200, litellmBody, { openaiErrors: { defaultRules: false } })
    t.equal((await chat(app)).statusCode, 500, 'no rule knows "No models available": fallbackStatus')
    const explained = await app.inject({ method: 'POST', url: '/explain', payload: JSON.parse(litellmBody) })
    t.match(explained.json(), { decision: { status: 500, rule: 'fallback' } })
    const hinted = await app.inject({ method: 'POST', url: '/explain', payload: { error: { code: 429, message: 'slow down' } } })
    t.match(hinted.json(), { decision: { status: 429, rule: 'status-hint' } })
  })
})

t.test('compose-error-handler', async (t) => {
  const build = async (t: tap.Test) => {
    const app = await compose.build()
    t.teardown(() => app.close())
    return app
  }
  const hi = [{ role: 'user', content: 'hi' }]

  t.test('the application\'s own error class gets its own answer', async (t) => {
    const res = await chat(await build(t), { model: 'small', messages: hi }, { 'x-team': 'acme' })
    t.equal(res.statusCode, 402)
    t.equal(res.headers['x-budget-team'], 'acme')
    t.same(res.json(), { error: { message: 'Team acme has used its monthly budget.', type: 'insufficient_quota', param: null, code: 'budget_exceeded' } })
  })

  t.test('openaiError(404, ...) thrown from the route is delegated: 404 with the OpenAI body', async (t) => {
    const res = await chat(await build(t), { model: 'gpt-9', messages: hi })
    t.equal(res.statusCode, 404)
    t.same(res.json(), { error: { message: 'The model `gpt-9` does not exist or you do not have access to it.', type: 'invalid_request_error', param: 'model', code: 'model_not_found' } })
  })

  t.test('a schema validation error is delegated: 400 naming the parameter', async (t) => {
    const res = await chat(await build(t), { model: 'small', messages: [{ role: 'robot', content: 'hi' }] })
    t.equal(res.statusCode, 400)
    t.match(res.json(), { error: { type: 'invalid_request_error', param: 'messages[0].role', code: 'invalid_value' } })
  })

  t.test('a bug is delegated: 500 without the internal message', async (t) => {
    const res = await chat(await build(t), { model: 'broken', messages: hi })
    t.equal(res.statusCode, 500)
    t.same(res.json(), { error: { message: 'The server had an error while processing your request.', type: 'server_error', param: null, code: null } })
    t.notMatch(res.body, /db-internal/)
  })

  t.test('a known model answers 200', async (t) => {
    const res = await chat(await build(t), { model: 'small', messages: hi })
    t.equal(res.statusCode, 200)
    t.equal(res.json().object, 'chat.completion')
  })
})

t.test('README', async (t) => {
  const readme = readFileSync(join(__dirname, '..', 'README.md'), 'utf8')

  t.test('its default-rule table is what examples/rules-table.js prints from defaultRules', async (t) => {
    const { rulesTable }: { rulesTable: () => string } = require('../examples/rules-table.js')
    const section = /<!-- rules-table:start -->\n([\s\S]*?)\n<!-- rules-table:end -->/.exec(readme)
    t.ok(section, 'the table markers are there')
    t.equal(section?.[1], rulesTable(), 'regenerate with node examples/rules-table.js')
  })

  t.test('its options table lists every option the plugin accepts', async (t) => {
    const app = Fastify()
    const err = await app.register(require('..'), { notAnOption: true }).then(() => null, (e: Error) => e)
    t.teardown(() => app.close())
    const known = /known: ([^)]*)\)/.exec(err?.message ?? '')?.[1].split(', ') ?? []
    t.ok(known.length >= 9, `the error names the known options: ${err?.message}`)
    for (const option of known) t.ok(readme.includes(`| \`${option}\` |`), `README's options table has ${option}`)
  })
})
