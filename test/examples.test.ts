import t from 'tap'
import { spawn, spawnSync } from 'node:child_process'
import diagnosticsChannel from 'node:diagnostics_channel'
import { readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import Fastify from 'fastify'
import OpenAI from 'openai'
import type { FastifyInstance } from 'fastify'
import { SpanStatusCode } from '@opentelemetry/api'
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base'
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node'
import { providerErrors } from './helpers/fixtures'
import { addressOf, captureLog, rawRequest } from './helpers/gateway'
import { decisionAttributes, requestSpans } from './helpers/spans'
import { refusedOrigin, startUpstream, type Handler } from './helpers/upstream'

// The examples are plain CommonJS JavaScript on the built dist/ (npm test builds first).
type Build = (opts?: Record<string, unknown>) => Promise<FastifyInstance>
const basicGateway: { build: Build } = require('../examples/basic-gateway.js')
const customRules: { build: Build, rules: Array<{ name: string }>, classifyOptions: object } = require('../examples/custom-rules.js')
const compose: { build: Build } = require('../examples/compose-error-handler.js')
const proxyGateway: { build: Build } = require('../examples/proxy-gateway.js')
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

  t.test('retry hints: the upstream\'s retry-after is passed on over the wait the message states; none is invented', async (t) => {
    const body = '{"error":{"message":"Rate limit reached. Please try again in 20s.","type":"requests","code":"rate_limit_exceeded"}}'
    const withHeader = async () => new Response(body, { status: 200, headers: { 'content-type': 'application/json', 'retry-after': '7' } })
    const app = await basicGateway.build({ upstreamUrl: 'http://upstream.test', fetch: withHeader })
    t.teardown(() => app.close())
    const res = await chat(app)
    t.equal(res.statusCode, 429)
    t.equal(res.headers['retry-after'], '7')
    t.equal(res.headers['retry-after-ms'], '7000')
    t.equal(res.headers['x-upstream-status'], '200')
    const fromMessage = await chat((await gatewayFor(t, basicGateway.build, 200, body)).app)
    t.equal(fromMessage.headers['retry-after'], '20', 'the message\'s wait')
    t.equal(fromMessage.headers['retry-after-ms'], '20000')
    const none = await chat((await gatewayFor(t, basicGateway.build, 200, '{"error":{"message":"Rate limit reached","code":"rate_limit_exceeded"}}')).app)
    t.equal(none.statusCode, 429)
    t.equal(none.headers['retry-after'], undefined, 'no wait stated, none sent')
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
    const app = await basicGateway.build({ upstreamUrl: await refusedOrigin() })
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

/** A real upstream on 127.0.0.1 and proxy-gateway.js listening in front of it; `url` is the gateway's. */
async function proxyFor (t: tap.Test, handler: Handler, opts: Record<string, unknown> = {}) {
  const upstream = await startUpstream(t, handler)
  const app = await proxyGateway.build({ upstreamUrl: `${upstream.url}/v1`, ...opts })
  await app.listen({ port: 0, host: '127.0.0.1' })
  t.teardown(() => app.close())
  return { app, url: addressOf(app) }
}

function answer (status: number, contentType: string, body: string | Buffer, headers: Record<string, string> = {}): Handler {
  return (_req, res) => {
    res.writeHead(status, { 'content-type': contentType, ...headers })
    res.end(body)
  }
}

/** An event stream written piece by piece: strings are written, numbers are pauses in ms. */
function events (steps: Array<string | number>): Handler {
  return (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' })
    let index = 0
    const next = (): void => {
      if (index === steps.length) return void res.end()
      const step = steps[index++]
      if (typeof step === 'number') setTimeout(next, step)
      else { res.write(step); next() }
    }
    next()
  }
}

const post = (url: string, body: string, headers: Record<string, string> = {}) =>
  rawRequest(`${url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body })

const rateLimitBody = '{"error":{"message":"Rate limit reached for requests","type":"requests","param":null,"code":"rate_limit_exceeded"}}'
const chunk = '{"id":"c1","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"content":"hi"},"finish_reason":null}]}'

t.test('proxy-gateway', async (t) => {
  t.test('forwards method, path under UPSTREAM_URL, query, headers and the request body byte for byte', async (t) => {
    const seen: Array<{ method?: string, url?: string, headers: Record<string, unknown>, body: string }> = []
    const { url } = await proxyFor(t, (req, res) => {
      let body = ''
      req.on('data', (c: Buffer) => { body += c })
      req.on('end', () => {
        seen.push({ method: req.method, url: req.url, headers: req.headers, body })
        answer(200, 'application/json', completionBody)(req, res)
      })
    })
    // Spacing and key order survive: the body is forwarded, not parsed and serialized again.
    const json = '{ "model" : "gpt-4o-mini",  "messages": [] }'
    const res = await post(url, json, { authorization: 'Bearer sk-1' })
    t.equal(res.status, 200)
    t.equal(res.body.toString(), completionBody)
    const multipart = '--b\r\nContent-Disposition: form-data; name="model"\r\n\r\nwhisper-1\r\n--b--\r\n'
    await rawRequest(`${url}/v1/audio/transcriptions?x=1`, { method: 'POST', headers: { 'content-type': 'multipart/form-data; boundary=b' }, body: multipart })
    await rawRequest(`${url}/v1/models/ft%3Agpt-4o-mini%3Aacme`, { method: 'DELETE' })
    t.same(seen.map((s) => [s.method, s.url]), [
      ['POST', '/v1/chat/completions'],
      ['POST', '/v1/audio/transcriptions?x=1'],
      ['DELETE', '/v1/models/ft%3Agpt-4o-mini%3Aacme']
    ])
    t.equal(seen[0].body, json)
    t.equal(seen[0].headers.authorization, 'Bearer sk-1')
    t.equal(seen[1].body, multipart)
    t.equal(seen[1].headers['content-type'], 'multipart/form-data; boundary=b')
  })

  t.test('an error body the upstream answered with 200 leaves with its status and the same bytes', async (t) => {
    const { url } = await proxyFor(t, answer(200, 'application/json', litellmBody))
    const res = await post(url, '{}')
    t.equal(res.status, 404)
    t.equal(res.body.toString(), litellmBody)
    t.equal(res.headers['content-length'], String(litellmBody.length))
  })

  t.test('a completion and an upstream error status pass untouched', async (t) => {
    const ok = await post((await proxyFor(t, answer(200, 'application/json', completionBody))).url, '{}')
    t.equal(ok.status, 200)
    t.equal(ok.body.toString(), completionBody)
    const limited = await post((await proxyFor(t, answer(429, 'application/json', rateLimitBody, { 'retry-after': '7' }))).url, '{}')
    t.equal(limited.status, 429)
    t.equal(limited.body.toString(), rateLimitBody)
    t.equal(limited.headers['retry-after'], '7', 'the upstream\'s headers come along')
  })

  t.test('a gzip error body gets its status and is sent compressed, as it came', async (t) => {
    const gzipped = gzipSync(Buffer.from(litellmBody))
    const { url } = await proxyFor(t, answer(200, 'application/json', gzipped, { 'content-encoding': 'gzip' }))
    const res = await post(url, '{}', { 'accept-encoding': 'gzip' })
    t.equal(res.status, 404)
    t.equal(res.headers['content-encoding'], 'gzip')
    t.ok(res.body.equals(gzipped), 'the upstream\'s compressed bytes')
  })

  t.test('SSE: an error as the first data event, after a comment and a ping, answers its status with the event\'s JSON', async (t) => {
    const { url } = await proxyFor(t, events([': OPENROUTER PROCESSING\n\n', 10, 'event: ping\ndata: {"type":"ping"}\n\n', 10, `data: ${rateLimitBody}\n\ndata: [DONE]\n\n`]))
    const res = await post(url, '{"stream":true}')
    t.equal(res.status, 429)
    t.equal(res.headers['content-type'], 'application/json; charset=utf-8')
    t.equal(res.body.toString(), rateLimitBody)
    t.equal(res.headers['content-length'], String(res.body.length))
  })

  t.test('SSE: a streamed completion passes byte for byte, as an event stream', async (t) => {
    const stream = `: OPENROUTER PROCESSING\n\ndata: ${chunk}\n\ndata: ${chunk}\n\ndata: [DONE]\n\n`
    const { url } = await proxyFor(t, events([stream.slice(0, 40), 10, stream.slice(40, 100), 10, stream.slice(100)]))
    const res = await post(url, '{"stream":true}')
    t.equal(res.status, 200)
    t.match(res.headers['content-type'], /^text\/event-stream/)
    t.equal(res.body.toString(), stream)
  })

  t.test('SSE: an error after the first data event cannot change the status; it is logged once', async (t) => {
    const { raw: lines, logger } = captureLog('warn')
    const late = `data: ${chunk}\n\n`
    const { url } = await proxyFor(t, events([late, 10, `data: ${rateLimitBody}\n\n`, 10, `data: ${rateLimitBody}\n\n`]), { logger })
    const res = await post(url, '{"stream":true}')
    t.equal(res.status, 200)
    t.equal(res.body.toString(), late + `data: ${rateLimitBody}\n\n`.repeat(2))
    t.equal(lines.filter((line) => line.includes('error event after the stream started')).length, 1)
  })

  t.test('openaiErrors options reach the plugin: rewriteBody answers an SSE error with the OpenAI body', async (t) => {
    const { url } = await proxyFor(t, events(['data: {"object":"error","message":"The model `qwen` does not exist.","type":"NotFoundError","param":null,"code":404}\n\n']), { openaiErrors: { rewriteBody: true } })
    const res = await post(url, '{"stream":true}')
    t.equal(res.status, 404)
    t.same(JSON.parse(res.body.toString()), { error: { message: 'The model `qwen` does not exist.', type: 'not_found_error', param: null, code: '404' } })
  })

  t.test('openaiErrors options reach the plugin: sse: false sends event streams on unread', async (t) => {
    const stream = `data: ${rateLimitBody}\n\n`
    const { url } = await proxyFor(t, events([stream]), { openaiErrors: { sse: false } })
    const res = await post(url, '{"stream":true}')
    t.equal(res.status, 200)
    t.equal(res.body.toString(), stream)
  })

  t.test('the openai SDK streaming through the gateway raises RateLimitError 429 for an error-first stream', async (t) => {
    const { url } = await proxyFor(t, events([': keep-alive\n\n', 10, `data: ${rateLimitBody}\n\ndata: [DONE]\n\n`]))
    const client = new OpenAI({ apiKey: 'sk-1', baseURL: `${url}/v1`, maxRetries: 0 })
    const err = await client.chat.completions.create({ model: 'm', messages: [], stream: true }).then(async (stream) => {
      for await (const _ of stream) { /* drain */ }
      return null
    }, (e: unknown) => e)
    t.ok(err instanceof OpenAI.RateLimitError, `RateLimitError, got ${String(err)}`)
    t.equal((err as InstanceType<typeof OpenAI.APIError>).status, 429)
  })

  t.test('an upstream that refuses the connection answers 502 upstream_unavailable, not reply-from\'s 500', async (t) => {
    const app = await proxyGateway.build({ upstreamUrl: await refusedOrigin() })
    await app.listen({ port: 0, host: '127.0.0.1' })
    t.teardown(() => app.close())
    const res = await post(addressOf(app), '{}')
    t.equal(res.status, 502)
    t.match(JSON.parse(res.body.toString()), { error: { type: 'bad_gateway_error', code: 'upstream_unavailable' } })
  })

  t.test('an upstream whose headers do not come within timeoutMs answers 504 upstream_timeout', async (t) => {
    const { url } = await proxyFor(t, () => { /* never answers */ }, { timeoutMs: 50 })
    const res = await post(url, '{}')
    t.equal(res.status, 504)
    t.match(JSON.parse(res.body.toString()), { error: { type: 'timeout_error', code: 'upstream_timeout' } })
  })

  t.test('an upstream that drops the connection before the first event answers 502: nothing was sent yet', async (t) => {
    const { url } = await proxyFor(t, (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' })
      res.write(': OPENROUTER PROCESSING\n\n')
      setTimeout(() => res.socket?.destroy(), 20)
    })
    const res = await post(url, '{"stream":true}')
    t.equal(res.status, 502)
    t.match(JSON.parse(res.body.toString()), { error: { type: 'bad_gateway_error', code: 'upstream_unavailable' } })
  })

  t.test('URLs outside /v1 answer like OpenAI: 404 unknown_url, without asking the upstream', async (t) => {
    let calls = 0
    const { url } = await proxyFor(t, (req, res) => { calls++; answer(200, 'application/json', completionBody)(req, res) })
    const res = await rawRequest(`${url}/health`)
    t.equal(res.status, 404)
    t.match(JSON.parse(res.body.toString()), { error: { code: 'unknown_url' } })
    t.equal(calls, 0)
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

const metricLine = (labels: Record<string, string>, count: number) =>
  `openai_errors_normalized_total{${Object.entries(labels).map(([k, v]) => `${k}="${v}"`).join(',')}} ${count}`
// One sample of the text format: the name, label="value" pairs whose values hold no raw `"`, `\` or line feed, a count.
const SAMPLE = /^openai_errors_normalized_total\{(?:[a-z_]+="(?:[^"\\\n]|\\[\\"n])*",)*[a-z_]+="(?:[^"\\\n]|\\[\\"n])*"\} \d+$/

t.test('prometheus-metrics', async (t) => {
  const metrics: { build: Build } = require('../examples/prometheus-metrics.js')
  const scrape = async (app: FastifyInstance) => {
    const res = await app.inject('/metrics')
    t.equal(res.statusCode, 200)
    t.equal(res.headers['content-type'], 'text/plain; version=0.0.4; charset=utf-8', 'Prometheus\' text format')
    return res.body
  }

  t.test('a remapped 200 error is counted with its route, statuses, rule, provider and source', async (t) => {
    const { app } = await gatewayFor(t, metrics.build, 200, litellmBody)
    t.equal((await chat(app)).statusCode, 404)
    const labels = { route: '/v1/chat/completions', original_status: '200', status: '404', rule: 'litellm.no-models-available', provider: 'litellm', source: 'body' }
    const first = await scrape(app)
    t.match(first, /^# HELP openai_errors_normalized_total .+\n# TYPE openai_errors_normalized_total counter\n/m)
    t.ok(first.split('\n').includes(metricLine(labels, 1)), first)
    await chat(app)
    const second = await scrape(app)
    t.ok(second.split('\n').includes(metricLine(labels, 2)), 'counted again')
    t.equal(second.split('\n').filter((line) => line.startsWith('openai_errors_normalized_total{')).length, 1, 'one series; /metrics itself is not counted')
  })

  t.test('successes are not counted', async (t) => {
    const { app } = await gatewayFor(t, metrics.build, 200, completionBody)
    await chat(app)
    t.notMatch(await scrape(app), /^openai_errors_normalized_total\{/m)
  })

  t.test('label values are escaped: a rule name with a quote, a backslash and a line feed', async (t) => {
    // The provider label is the rule name up to its first dot.
    const rules = [{ name: 'acme "budget".team\\x\nB', type: 'acme_budget_exceeded', status: 402 }]
    const { app } = await gatewayFor(t, metrics.build, 200, '{"error":{"message":"Budget exhausted","type":"acme_budget_exceeded"}}', { openaiErrors: { rules } })
    t.equal((await chat(app)).statusCode, 402)
    const text = await scrape(app)
    const samples = text.split('\n').filter((line) => line.startsWith('openai_errors_normalized_total'))
    t.same(samples, [metricLine({ route: '/v1/chat/completions', original_status: '200', status: '402', rule: 'acme \\"budget\\".team\\\\x\\nB', provider: 'acme \\"budget\\"', source: 'body' }, 1)])
    for (const sample of samples) t.match(sample, SAMPLE, 'a well-formed sample')
  })

  t.test('streams, thrown errors and unknown URLs are counted too; a missing value is "none"', async (t) => {
    const sse = `data: ${rateLimitBody}\n\n`
    const streamed = await gatewayFor(t, metrics.build, 200, sse, { stream: true }, 'text/event-stream')
    t.equal((await chat(streamed.app, { model: 'm', stream: true, messages: [] })).statusCode, 429)
    t.equal((await streamed.app.inject('/v1/nope')).statusCode, 404)
    const text = await scrape(streamed.app)
    t.ok(text.includes(metricLine({ route: '/v1/chat/completions', original_status: '200', status: '429', rule: 'openai.rate-limit', provider: 'openai', source: 'stream' }, 1)), text)
    t.ok(text.includes(metricLine({ route: 'none', original_status: 'none', status: '404', rule: 'not-found', provider: 'none', source: 'not-found' }, 1)), text)

    const app = await metrics.build({ upstreamUrl: await refusedOrigin() })
    t.teardown(() => app.close())
    t.equal((await chat(app)).statusCode, 502)
    const refused = await scrape(app)
    t.ok(refused.includes(metricLine({ route: '/v1/chat/completions', original_status: 'none', status: '502', rule: 'thrown', provider: 'upstream', source: 'error-handler' }, 1)), refused)
  })

  t.test('an onNormalize of your own is still called, after the count', async (t) => {
    const events: Array<{ rule: string }> = []
    const { app } = await gatewayFor(t, metrics.build, 200, litellmBody, { openaiErrors: { onNormalize: (event: { rule: string }) => events.push(event) } })
    await chat(app)
    t.match(events, [{ rule: 'litellm.no-models-available', source: 'body' }])
    t.match(await scrape(app), /rule="litellm\.no-models-available"/)
  })
})

t.test('report-only', async (t) => {
  const reportOnly: { build: Build } = require('../examples/report-only.js')
  const reports = (lines: string[]) => lines.map((line) => JSON.parse(line)).filter((entry) => entry.msg === 'fastify-openai-errors: report only, response left as it was')

  t.test('a 200 error leaves as it came, status, body and headers, and the decision is logged', async (t) => {
    const { raw: lines, logger } = captureLog()
    const body = '{"error":{"message":"Rate limit reached. Please try again in 20s","type":"requests","code":"rate_limit_exceeded"}}'
    const { app } = await gatewayFor(t, reportOnly.build, 200, body, { logger })
    const res = await chat(app)
    t.equal(res.statusCode, 200)
    t.equal(res.body, body)
    for (const header of ['x-upstream-status', 'retry-after', 'retry-after-ms', 'x-should-retry']) t.equal(res.headers[header], undefined, `no ${header}`)
    const logged = reports(lines)
    t.equal(logged.length, 1, 'one line per decision')
    t.equal(logged[0].level, 30, 'info')
    t.match(logged[0].openaiErrors, { source: 'body', method: 'POST', route: '/v1/chat/completions', originalStatus: 200, status: 429, rule: 'openai.rate-limit', provider: 'openai', reportOnly: true })
  })

  t.test('a stream is read and logged, and still goes out whole', async (t) => {
    const { raw: lines, logger } = captureLog()
    const sse = `data: ${litellmBody}\n\ndata: [DONE]\n\n`
    const { app } = await gatewayFor(t, reportOnly.build, 200, sse, { logger, stream: true }, 'text/event-stream')
    const res = await chat(app, { model: 'x', stream: true, messages: [] })
    t.equal(res.statusCode, 200)
    t.equal(res.body, sse)
    t.match(reports(lines), [{ openaiErrors: { source: 'stream', status: 404, originalStatus: 200 } }])
  })

  t.test('thrown errors go to Fastify\'s own handler and unknown URLs get Fastify\'s 404; the thrown one is logged', async (t) => {
    const { raw: lines, logger } = captureLog()
    const app = await reportOnly.build({ upstreamUrl: await refusedOrigin(), logger })
    t.teardown(() => app.close())
    const refused = await chat(app)
    t.equal(refused.statusCode, 500, 'Fastify\'s 500, where the plugin would answer 502')
    t.match(refused.json(), { statusCode: 500, error: 'Internal Server Error' })
    const unknown = await app.inject('/v1/nope')
    t.equal(unknown.statusCode, 404)
    t.equal(unknown.json().message, 'Route GET:/v1/nope not found')
    t.match(reports(lines), [{ openaiErrors: { source: 'error-handler', status: 502, rule: 'thrown', reportOnly: true } }])
  })

  t.test('a success is neither changed nor logged', async (t) => {
    const { raw: lines, logger } = captureLog()
    const { app } = await gatewayFor(t, reportOnly.build, 200, completionBody, { logger })
    const res = await chat(app)
    t.equal(res.statusCode, 200)
    t.equal(reports(lines).length, 0)
  })

  t.test('reportOnly: false (REPORT_ONLY=0) is the same gateway, live', async (t) => {
    const { app } = await gatewayFor(t, reportOnly.build, 200, litellmBody, { reportOnly: false, logger: false })
    const res = await chat(app)
    t.equal(res.statusCode, 404)
    t.equal(res.headers['x-upstream-status'], '200')
  })
})

t.test('anthropic-gateway', async (t) => {
  const anthropicGateway: { build: Build } = require('../examples/anthropic-gateway.js')
  const Anthropic = require('@anthropic-ai/sdk').default as typeof import('@anthropic-ai/sdk').default

  async function anthropicFor (t: tap.Test, handler: Handler) {
    const seen: string[] = []
    const upstream = await startUpstream(t, (req, res) => {
      seen.push(`${req.method} ${req.url}`)
      req.resume()
      req.on('end', () => handler(req, res))
    })
    const app = await anthropicGateway.build({ upstreamUrl: upstream.url })
    await app.listen({ port: 0, host: '127.0.0.1' })
    t.teardown(() => app.close())
    return { url: addressOf(app), seen }
  }
  const create = (url: string) => new Anthropic({ baseURL: url, apiKey: 'sk-ant-test', maxRetries: 0 })
    .messages.create({ model: 'claude-sonnet-4-5', max_tokens: 16, messages: [{ role: 'user', content: 'hi' }] })
    .then((value) => ({ value, error: undefined }), (error: unknown) => ({ value: undefined, error }))

  t.test('an OpenAI-shaped 200 error on /v1/messages reaches the SDK as RateLimitError, in Anthropic\'s shape', async (t) => {
    const { url, seen } = await anthropicFor(t, answer(200, 'application/json', '{"error":{"message":"Rate limit reached. Please try again in 50ms","type":"requests","code":"rate_limit_exceeded"}}'))
    const { error } = await create(url)
    t.type(error, Anthropic.RateLimitError)
    const apiError = error as InstanceType<typeof Anthropic.APIError>
    t.equal(apiError.status, 429)
    t.equal(apiError.type, 'rate_limit_error')
    t.same(apiError.error, { type: 'error', error: { type: 'rate_limit_error', message: 'Rate limit reached. Please try again in 50ms' } })
    t.equal(apiError.headers?.get('retry-after-ms'), '50')
    t.same(seen, ['POST /v1/messages'])
  })

  t.test('an Anthropic overloaded_error answered with 200 is an OverloadedError 529', async (t) => {
    const { url } = await anthropicFor(t, answer(200, 'application/json', '{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}'))
    const { error } = await create(url)
    t.type(error, Anthropic.OverloadedError)
    t.equal((error as InstanceType<typeof Anthropic.APIError>).status, 529)
  })

  t.test('a message passes byte for byte, the query forwarded', async (t) => {
    const message = '{"id":"msg_1","type":"message","role":"assistant","model":"claude-sonnet-4-5","content":[{"type":"text","text":"Hello"}],"stop_reason":"end_turn","stop_sequence":null,"usage":{"input_tokens":1,"output_tokens":1}}'
    const { url, seen } = await anthropicFor(t, answer(200, 'application/json', message))
    const res = await rawRequest(`${url}/v1/messages?beta=true`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })
    t.equal(res.status, 200)
    t.equal(res.body.toString(), message)
    t.same(seen, ['POST /v1/messages?beta=true'])
  })

  t.test('a route of the gateway\'s own path sets dialect: anthropic', async (t) => {
    const { url, seen } = await anthropicFor(t, answer(200, 'application/json', '{"error":"Overloaded"}'))
    const res = await rawRequest(`${url}/claude/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })
    t.equal(res.status, 503)
    t.same(JSON.parse(res.body.toString()), { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } })
    t.same(seen, ['POST /v1/messages'])
  })

  t.test('a refused upstream is a 502 api_error; unknown URLs answer in the dialect of their path', async (t) => {
    const app = await anthropicGateway.build({ upstreamUrl: await refusedOrigin() })
    await app.listen({ port: 0, host: '127.0.0.1' })
    t.teardown(() => app.close())
    const url = addressOf(app)
    const refused = await rawRequest(`${url}/v1/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })
    t.equal(refused.status, 502)
    t.same(JSON.parse(refused.body.toString()), { type: 'error', error: { type: 'api_error', message: 'The upstream service could not be reached or sent an invalid response.' } })
    const batches = await rawRequest(`${url}/v1/messages/batches`)
    t.equal(batches.status, 404)
    t.same(JSON.parse(batches.body.toString()), { type: 'error', error: { type: 'not_found_error', message: 'Invalid URL (GET /v1/messages/batches)' } })
    const chatUrl = await rawRequest(`${url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })
    t.match(JSON.parse(chatUrl.body.toString()), { error: { type: 'invalid_request_error', code: 'unknown_url' } })
  })
})

t.test('otel-tracing', async (t) => {
  const otel: { build: Build, logDecision: (message: unknown) => void } = require('../examples/otel-tracing.js')
  // A provider of the test's own, given to the example: nothing is registered globally in this process.
  const exporter = new InMemorySpanExporter()
  const provider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] })
  t.teardown(() => provider.shutdown())
  t.beforeEach(() => exporter.reset())

  /** The example listening in front of a real upstream that answers every request with this body and 200. */
  async function tracedFor (t: tap.Test, body: string, opts: Record<string, unknown> = {}) {
    const upstream = await startUpstream(t, answer(200, 'application/json', body))
    const app = await otel.build({ upstreamUrl: `${upstream.url}/v1`, provider, ...opts })
    await app.listen({ port: 0, host: '127.0.0.1' })
    t.teardown(() => app.close())
    return addressOf(app)
  }
  /** @fastify/otel's request span, once the request has ended. */
  const requestSpan = (t: tap.Test) => {
    const spans = requestSpans(exporter)
    t.equal(spans.length, 1, 'one request span')
    return spans[0]
  }

  t.test('a 200 error becomes 404 and the request span carries the decision, with status ERROR', async (t) => {
    const res = await post(await tracedFor(t, litellmBody), '{}')
    t.equal(res.status, 404)
    t.equal(res.body.toString(), litellmBody)
    const span = requestSpan(t)
    t.same(decisionAttributes(span), {
      'openai_errors.original_status': 200,
      'openai_errors.status': 404,
      'openai_errors.rule': 'litellm.no-models-available',
      'openai_errors.provider': 'litellm',
      'openai_errors.source': 'stream', // reply-from sends the upstream's body on as a stream
      'openai_errors.report_only': false
    }, 'no retryable: the table does not say for this rule')
    t.equal(span.status.code, SpanStatusCode.ERROR)
    t.equal(span.status.message, 'fastify-openai-errors: litellm.no-models-available')
    t.equal(span.attributes['http.response.status_code'], 404, 'the status @fastify/otel records is the new one')
    // @fastify/otel is registered before the plugin and the route: their hook and handler have spans under the request span.
    const children = exporter.getFinishedSpans().filter((other) => other.parentSpanContext?.spanId === span.spanContext().spanId)
    t.ok(children.some((child) => String(child.attributes['hook.name']).endsWith('fastify-openai-errors - onSend')), 'the plugin\'s onSend hook has a span')
    t.ok(children.some((child) => child.attributes['fastify.type'] === 'request-handler'), 'the route handler has a span')
    t.same(children.filter((child) => Object.keys(decisionAttributes(child)).length > 0), [], 'only the request span is marked')
  })

  t.test('a rule that knows whether a retry helps puts openai_errors.retryable on the span', async (t) => {
    // Anthropic's "prompt is too long" (test/fixtures/provider-errors.json), sent with 200.
    const tooLong = providerErrors.find((fixture) => fixture.provider === 'anthropic' && JSON.stringify(fixture.body).includes('prompt is too long'))
    if (tooLong === undefined) throw new Error('fixture missing')
    const res = await post(await tracedFor(t, JSON.stringify(tooLong.body)), '{}')
    t.equal(res.status, 400)
    const span = requestSpan(t)
    t.match(decisionAttributes(span), { 'openai_errors.original_status': 200, 'openai_errors.status': 400, 'openai_errors.rule': 'any.context-length', 'openai_errors.provider': 'anthropic', 'openai_errors.retryable': false })
    t.equal(span.status.code, SpanStatusCode.ERROR)
  })

  t.test('a completion passes untouched and its request span has no decision attributes, status not ERROR', async (t) => {
    const res = await post(await tracedFor(t, completionBody), '{}')
    t.equal(res.status, 200)
    t.equal(res.body.toString(), completionBody)
    const span = requestSpan(t)
    t.same(decisionAttributes(span), {})
    t.equal(span.status.code, SpanStatusCode.UNSET)
  })

  t.test('logDecision, subscribed to the diagnostics channel, logs one line per decision through the request\'s logger', async (t) => {
    const { lines, logger } = captureLog()
    const { DECISION_CHANNEL } = require('..') as { DECISION_CHANNEL: string }
    diagnosticsChannel.subscribe(DECISION_CHANNEL, otel.logDecision)
    t.teardown(() => { diagnosticsChannel.unsubscribe(DECISION_CHANNEL, otel.logDecision) })
    const address = await tracedFor(t, litellmBody, { logger })
    t.equal((await post(address, '{}')).status, 404)
    t.equal((await rawRequest(`${address}/v1/models`)).status, 404, 'the same body on another route: a second decision')
    const decisions = lines.filter((line) => line.msg === 'fastify-openai-errors decision')
    t.match(decisions, [
      { reqId: 'req-1', openaiErrors: { originalStatus: 200, status: 404, rule: 'litellm.no-models-available', provider: 'litellm', retryable: null } },
      { reqId: 'req-2', openaiErrors: { status: 404 } }
    ])
    t.equal(decisions.length, 2)
  })

  t.test('run as a script, it registers a console exporter and prints the request span with the decision', async (t) => {
    const upstream = await startUpstream(t, answer(200, 'application/json', litellmBody))
    const child = spawn(process.execPath, [join(__dirname, '..', 'examples', 'otel-tracing.js')], {
      env: { ...process.env, UPSTREAM_URL: `${upstream.url}/v1`, PORT: '0', HOST: '127.0.0.1' },
      stdio: ['ignore', 'pipe', 'pipe']
    })
    t.teardown(() => { child.kill() })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk: Buffer) => { stdout += chunk })
    child.stderr.on('data', (chunk: Buffer) => { stderr += chunk })
    /** What the script has printed, once it matches `pattern`. */
    const output = (pattern: RegExp) => new Promise<RegExpExecArray>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ${pattern} in ${stdout}${stderr}`)), 10_000)
      const check = () => {
        const found = pattern.exec(stdout)
        if (found === null) return
        clearTimeout(timer)
        child.stdout.off('data', check)
        resolve(found)
      }
      child.stdout.on('data', check)
      check()
    })
    const [, address] = await output(/gateway listening on (http:\/\/\S+),/)
    t.equal((await post(address, '{}')).status, 404)
    await output(/"msg":"fastify-openai-errors decision"/)
    await output(/name: 'request',[^]*?status: \{\s*code: 2,\s*message: 'fastify-openai-errors: litellm\.no-models-available'\s*\}/)
    const requestSpanText = /name: 'request',[^]*?\n {2}links/.exec(stdout)?.[0] ?? ''
    for (const line of ["'openai_errors.status': 404", "'openai_errors.original_status': 200", "'openai_errors.rule': 'litellm.no-models-available'", "'openai_errors.provider': 'litellm'"]) {
      t.ok(requestSpanText.includes(line), `the printed request span has ${line}`)
    }
    t.equal(stderr, '')
  })
})

t.test('rules-file', async (t) => {
  const rulesFile: { build: Build } = require('../examples/rules-file.js')
  const { loadRules } = require('..') as { loadRules: (file: string) => Array<{ name: string }> }
  /** A real body of the corpus (test/corpus/errors/<file>.json). */
  const corpus = (file: string, provider: string, pick: (body: any) => boolean) => {
    const entries = JSON.parse(readFileSync(join(__dirname, 'corpus', 'errors', `${file}.json`), 'utf8')) as Array<{ provider: string, body: any }>
    const entry = entries.find((e) => e.provider === provider && pick(e.body))
    if (entry === undefined) throw new Error(`no ${provider} entry in ${file}.json`)
    return JSON.stringify(entry.body)
  }
  // The status each rule of examples/rules.yaml gives, and the one the default table alone gives the same body.
  const cases = [
    { rule: 'tei.input-too-long', body: corpus('local-servers', 'huggingface-tei', (body) => /must have less than/.test(body.error)), status: 413, without: 422 },
    { rule: 'fastchat.controller-error', body: corpus('local-servers', 'fastchat', (body) => body.code === 50001), status: 500, without: 400 },
    { rule: 'gemini.unsupported-location', body: corpus('clouds', 'gemini', (body) => /User location is not supported/.test(body.error?.message)), status: 403, without: 400 }
  ]

  t.test('the example\'s rules.yaml has one rule per case here', async (t) => {
    t.same(loadRules(join(__dirname, '..', 'examples', 'rules.yaml')).map((rule) => rule.name), cases.map((c) => c.rule))
  })

  for (const c of cases) {
    t.test(`${c.rule}: a 200 answer with its corpus body leaves as ${c.status}; basic-gateway without the file sends ${c.without}`, async (t) => {
      const withFile = await chat((await gatewayFor(t, rulesFile.build, 200, c.body)).app)
      t.equal(withFile.statusCode, c.status)
      t.equal(withFile.body, c.body, 'the same bytes')
      const without = await chat((await gatewayFor(t, basicGateway.build, 200, c.body)).app)
      t.equal(without.statusCode, c.without)
      t.not(without.statusCode, withFile.statusCode, 'the file changes the decision')
    })
  }

  const badFile = (t: tap.Test) => {
    const file = join(t.testdir(), 'bad-rules.yaml')
    writeFileSync(file, 'rules:\n  - name: ok\n    message: x\n    status: 400\n  - name: bad\n    message: x\n    status: 700\n')
    return file
  }

  t.test('an invalid rules file rejects build, naming the file, the rule\'s index and the field', async (t) => {
    const file = badFile(t)
    await t.rejects(rulesFile.build({ rulesFile: file }), {
      code: 'FST_OPENAI_ERRORS_INVALID_RULES_FILE',
      message: `fastify-openai-errors: ${file}: rules[1].status: must be an integer from 400 to 599, got 700`
    })
  })

  t.test('rulesFile (RULES_FILE) chooses another file in place of rules.yaml', async (t) => {
    const valid = join(t.testdir(), 'one.json')
    writeFileSync(valid, JSON.stringify([{ name: 'acme.tei', message: 'must have less than', status: 400 }]))
    const res = await chat((await gatewayFor(t, rulesFile.build, 200, cases[0].body, { rulesFile: valid })).app)
    t.equal(res.statusCode, 400, 'the other file\'s rule, not rules.yaml\'s 413')
  })

  t.test('run as a script with an invalid RULES_FILE, it exits 1 before listening, with the message', async (t) => {
    const file = badFile(t)
    const child = spawnSync(process.execPath, [join(__dirname, '..', 'examples', 'rules-file.js')], {
      env: { ...process.env, RULES_FILE: file, PORT: '0' },
      encoding: 'utf8',
      timeout: 10_000
    })
    t.equal(child.status, 1)
    t.match(child.stderr, `fastify-openai-errors: ${file}: rules[1].status: must be an integer from 400 to 599, got 700`)
    t.notMatch(child.stdout, /listening/)
  })
})

t.test('conformance-check', async (t) => {
  type Result = { pass: boolean, cases: Array<{ id: string, pass: boolean }>, failed: string[] }
  const conformance: { check: (opts?: { build?: (upstreamUrl: string) => Promise<FastifyInstance>, all?: boolean }) => Promise<Result> } =
    require('../examples/conformance-check.js')
  const replyFrom = require('@fastify/reply-from')

  t.test('proxy-gateway.js, pointed at the kit, passes every default case', async (t) => {
    const result = await conformance.check()
    t.equal(result.cases.length, 59)
    t.same(result.failed, [])
    t.ok(result.pass)
  })

  t.test('the same proxy without the plugin fails, and the failing cases are named: the 200, gzip and SSE-first ones', async (t) => {
    const result = await conformance.check({
      build: async (upstreamUrl) => {
        const app = Fastify()
        await app.register(replyFrom, { base: upstreamUrl + '/' })
        app.post('/v1/*', (request, reply) => { reply.from('./' + request.url.slice('/v1/'.length)) })
        return app
      }
    })
    t.notOk(result.pass)
    t.ok(result.failed.length > 0)
    const kinds = new Set(result.failed.map((id) => id.slice(0, id.indexOf(':'))))
    t.same([...kinds].sort(), ['200', 'gzip', 'sse-first'])
  })

  t.test('run as a script, it prints the table and exits 0 when every case passes', async (t) => {
    const child = spawnSync(process.execPath, [join(__dirname, '..', 'examples', 'conformance-check.js')], { encoding: 'utf8', timeout: 30_000 })
    t.equal(child.status, 0, child.stderr)
    t.match(child.stdout, /all 59 cases pass/)
  })
})

t.test('README', async (t) => {
  const readme = readFileSync(join(__dirname, '..', 'README.md'), 'utf8')

  t.test('its examples table links every file in examples/', async (t) => {
    const files = readdirSync(join(__dirname, '..', 'examples')).filter((file) => file.endsWith('.js') && file !== 'demo.js')
    t.ok(files.includes('proxy-gateway.js'))
    for (const file of files) t.ok(readme.includes(`| [\`examples/${file}\`](examples/${file}) |`), `README's examples table has ${file}`)
  })

  t.test('its stream bounds are the plugin\'s defaults', async (t) => {
    const defaults = [
      ['maxBodyBytes', '65536'], ['jsonPeekTimeoutMs', '5000'], ['sse', '{ peekBytes: 16384, peekTimeoutMs: 5000 }']
    ]
    for (const [option, value] of defaults) t.ok(readme.includes(`| \`${option}\` | \`${value}\` |`), `${option} defaults to ${value}`)
    // Over the defaults the stream goes on as it came: one byte more than sse.peekBytes of comments, then an error.
    const upstream = await startUpstream(t, events([': ' + 'x'.repeat(16384) + '\n\n', 10, `data: ${rateLimitBody}\n\n`]))
    const app = await proxyGateway.build({ upstreamUrl: upstream.url })
    await app.listen({ port: 0, host: '127.0.0.1' })
    t.teardown(() => app.close())
    const res = await post(addressOf(app), '{"stream":true}')
    t.equal(res.status, 200, 'the error came after sse.peekBytes: the stream went on')
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
