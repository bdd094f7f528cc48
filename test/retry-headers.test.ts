import t from 'tap'
import { appWith, echoRoute } from './helpers/app'
import { addressOf, buildGateway, rawRequest } from './helpers/gateway'
import { startUpstream } from './helpers/upstream'

const json = 'application/json'

t.test('a remapped 429 gets retry-after and retry-after-ms from the wait its message states', async (t) => {
  const app = await appWith()
  echoRoute(app, '/groq', JSON.stringify({ error: { message: 'Rate limit reached for model. Please try again in 59.977s. Visit https://console.groq.com', type: 'tokens', code: 'rate_limit_exceeded' } }), { contentType: json })
  const res = await app.inject('/groq')
  t.equal(res.statusCode, 429)
  t.equal(res.headers['retry-after'], '60')
  t.equal(res.headers['retry-after-ms'], '59977')
  t.equal(res.headers['x-should-retry'], undefined, 'the table says nothing about retrying a rate limit')
})

t.test('no wait is invented when the message states none', async (t) => {
  const app = await appWith()
  echoRoute(app, '/x', '{"error":{"message":"Rate limit reached","code":"rate_limit_exceeded"}}', { contentType: json })
  const res = await app.inject('/x')
  t.equal(res.statusCode, 429)
  t.equal(res.headers['retry-after'], undefined)
  t.equal(res.headers['retry-after-ms'], undefined)
})

t.test('errors that waiting cannot fix get x-should-retry: false and no wait', async (t) => {
  const app = await appWith()
  echoRoute(app, '/quota', '{"error":{"message":"You exceeded your current quota. Try again in 20s","type":"insufficient_quota","code":"insufficient_quota"}}', { contentType: json })
  echoRoute(app, '/ctx', '{"error":{"message":"This model\'s maximum context length is 4097 tokens.","type":"invalid_request_error","code":"context_length_exceeded"}}', { contentType: json })
  const quota = await app.inject('/quota')
  t.equal(quota.statusCode, 429)
  t.equal(quota.headers['x-should-retry'], 'false')
  t.equal(quota.headers['retry-after'], undefined)
  const ctx = await app.inject('/ctx')
  t.equal(ctx.statusCode, 400)
  t.equal(ctx.headers['x-should-retry'], 'false')
})

t.test('a user rule can say retrying helps', async (t) => {
  const app = await appWith({ rules: [{ message: 'warming up', status: 503, retryable: true }] })
  echoRoute(app, '/warm', '{"error":"model is warming up, retry in 5s"}', { contentType: json })
  const res = await app.inject('/warm')
  t.equal(res.statusCode, 503)
  t.equal(res.headers['x-should-retry'], 'true')
  t.equal(res.headers['retry-after-ms'], '5000')
})

t.test('the upstream\'s own retry-after wins over the message, proxied through reply-from', async (t) => {
  const upstream = await startUpstream(t, (req, res) => {
    const headers: Record<string, string> = { 'content-type': json }
    if (req.url === '/after') headers['retry-after'] = '7'
    if (req.url === '/after-ms') headers['retry-after-ms'] = '2500'
    res.writeHead(200, headers)
    res.end('{"error":{"message":"Rate limit reached. Please try again in 20s","code":"rate_limit_exceeded"}}')
  })
  const gateway = await buildGateway(t, { upstream: upstream.url, listen: true })
  const after = await rawRequest(addressOf(gateway) + '/after')
  t.equal(after.status, 429)
  t.equal(after.headers['retry-after'], '7')
  t.equal(after.headers['retry-after-ms'], '7000')
  const afterMs = await rawRequest(addressOf(gateway) + '/after-ms')
  t.equal(afterMs.headers['retry-after'], '3')
  t.equal(afterMs.headers['retry-after-ms'], '2500')
  const message = await rawRequest(addressOf(gateway) + '/message')
  t.equal(message.headers['retry-after'], '20')
  t.equal(message.headers['x-upstream-status'], '200')
})

t.test('retryHints: false sends none of them', async (t) => {
  const app = await appWith({ retryHints: false })
  echoRoute(app, '/quota', '{"error":{"message":"Please try again in 20s","type":"insufficient_quota","code":"insufficient_quota"}}', { contentType: json })
  const res = await app.inject('/quota')
  t.equal(res.statusCode, 429)
  t.equal(res.headers['x-should-retry'], undefined)
  t.equal(res.headers['retry-after'], undefined)
})

t.test('the original status goes out in x-upstream-status when the plugin changes it, under a name of your choice, or not at all', async (t) => {
  const body = '{"error":{"message":"No models available","type":"invalid_request_error"}}'
  const plain = await appWith()
  echoRoute(plain, '/x', body, { contentType: json })
  echoRoute(plain, '/ok', '{"id":"x"}', { contentType: json })
  t.equal((await plain.inject('/x')).headers['x-upstream-status'], '200')
  t.equal((await plain.inject('/ok')).headers['x-upstream-status'], undefined, 'an unchanged status gets no header')
  const named = await appWith({ upstreamStatusHeader: 'X-Original-Status' })
  echoRoute(named, '/x', body, { contentType: json })
  t.equal((await named.inject('/x')).headers['x-original-status'], '200')
  const off = await appWith({ upstreamStatusHeader: false })
  echoRoute(off, '/x', body, { contentType: json })
  const res = await off.inject('/x')
  t.equal(res.statusCode, 404)
  t.equal(res.headers['x-upstream-status'], undefined)
})

t.test('an SSE error-first stream gets the same headers as a JSON body', async (t) => {
  const upstream = await startUpstream(t, (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream' })
    res.end('data: {"error":{"message":"Rate limit is exceeded. Try again in 2 seconds.","code":"429"}}\n\n')
  })
  const gateway = await buildGateway(t, { upstream: upstream.url, listen: true })
  const res = await rawRequest(addressOf(gateway) + '/v1/chat/completions')
  t.equal(res.status, 429)
  t.equal(res.headers['retry-after'], '2')
  t.equal(res.headers['x-upstream-status'], '200')
})
