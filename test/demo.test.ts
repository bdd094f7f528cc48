import t from 'tap'
import { execFile } from 'node:child_process'
import { join } from 'node:path'
import OpenAI from 'openai'
import { providerErrors } from './helpers/fixtures'
import { buildGateway } from './helpers/gateway'

// The demo is plain CommonJS JavaScript that runs on the built dist/ (npm test builds first).
interface Answer { status: number, contentType: string | null, body: string }
interface Row {
  section: 'buffered' | 'proxied'
  name: string
  model: string
  stream: boolean
  expected: number
  direct: Answer
  gateway: Answer
  rule: string | null
  sdk: { direct: string, gateway: string, expected: string } | null
  ok: boolean
}
interface Demo { upstreamUrl: string, gatewayUrl: string, proxyUrl: string, close: () => Promise<void> }
const demo: {
  runDemo: () => Promise<Row[]>
  startDemo: () => Promise<Demo>
  REPORT_MODEL: string
  KNOWN_MODEL: string
  RATE_LIMITED_MODEL: string
  SGLANG_MODEL: string
  STREAM_ERRORS: Record<string, { json: string, events: string[] }>
} = require('../examples/demo.js')

const root = join(__dirname, '..')
const demoFile = join(root, 'examples', 'demo.js')
// BerriAI/litellm#27030, as the report quotes it.
const reportRequest = { model: 'totally-nonexistent-model-xyz', messages: [{ role: 'user' as const, content: 'hi' }] }
const reportBody = '{"error":{"message":"No models available...","type":"invalid_request_error"}}'

// One run serves the tests that only read rows.
let rowsOnce: Promise<Row[]> | undefined
const demoRows = async (): Promise<Row[]> => await (rowsOnce ??= demo.runDemo())

function rowOf (rows: Row[], section: Row['section'], model: string, stream = false): Row {
  const row = rows.find((r) => r.section === section && r.model === model && r.stream === stream)
  if (row === undefined) throw new Error(`the demo has no ${section} row for ${model}${stream ? ' (stream)' : ''}`)
  return row
}

function run (args: string[]): Promise<{ code: number | null, stdout: string, stderr: string, ms: number }> {
  const started = Date.now()
  return new Promise((resolve) => {
    const child = execFile(process.execPath, args, { cwd: root, timeout: 30_000 }, (_err, stdout, stderr) => {
      resolve({ code: child.exitCode, stdout, stderr, ms: Date.now() - started })
    })
  })
}

t.test('BerriAI/litellm#27030: the unknown-model request answers 200 upstream and 404 through the gateway, same bytes', async (t) => {
  const row = rowOf(await demoRows(), 'buffered', reportRequest.model)
  t.equal(row.direct.status, 200, 'the upstream answers 200, as in the report')
  t.equal(row.direct.body, reportBody, 'with the report\'s error body')
  t.equal(row.gateway.status, 404, 'the gateway answers 404')
  t.equal(row.gateway.body, reportBody, 'with the upstream\'s body, byte for byte')
  t.match(row.gateway.contentType, /^application\/json/)
  t.equal(row.rule, 'litellm.no-models-available')
  t.ok(row.ok)
})

t.test('a successful completion passes the gateway untouched', async (t) => {
  const row = rowOf(await demoRows(), 'buffered', demo.KNOWN_MODEL)
  t.equal(row.direct.status, 200)
  t.equal(row.gateway.status, 200)
  t.equal(row.gateway.body, row.direct.body)
  t.equal(JSON.parse(row.gateway.body).object, 'chat.completion')
  t.equal(row.rule, null, 'the body is not an error')
})

t.test('every other dialect in the demo leaves the gateway with the status it means', async (t) => {
  const rows = (await demoRows()).filter((r) => r.section === 'buffered')
  t.ok(rows.length >= 4)
  for (const row of rows) {
    t.equal(row.direct.status, 200, `${row.name}: upstream 200`)
    t.equal(row.gateway.status, row.expected, `${row.name}: gateway ${row.expected}`)
    t.equal(row.gateway.body, row.direct.body, `${row.name}: body untouched`)
  }
  t.same(rows.map((r) => r.gateway.status), [404, 200, 404, 429, 404])
})

t.test('proxied with @fastify/reply-from: the report\'s request answers 200 upstream and 404 through the proxy, same bytes', async (t) => {
  const row = rowOf(await demoRows(), 'proxied', reportRequest.model)
  t.equal(row.direct.status, 200)
  t.equal(row.direct.body, reportBody)
  t.equal(row.gateway.status, 404)
  t.equal(row.gateway.body, reportBody)
  t.match(row.gateway.contentType, /^application\/json/)
  t.same(row.sdk, { direct: 'resolves, no choices', gateway: 'NotFoundError 404', expected: 'NotFoundError 404' })
  t.ok(row.ok)
})

t.test('streamed: a rate limit as the first event is 200 text/event-stream upstream, 429 application/json through the proxy', async (t) => {
  const row = rowOf(await demoRows(), 'proxied', demo.RATE_LIMITED_MODEL, true)
  const { json } = demo.STREAM_ERRORS[demo.RATE_LIMITED_MODEL]
  t.equal(row.direct.status, 200)
  t.match(row.direct.contentType, /^text\/event-stream/)
  t.match(row.direct.body, /^: keep-alive\n\ndata: \{"error"/, 'a comment first, then the error event')
  t.equal(row.gateway.status, 429)
  t.equal(row.gateway.contentType, 'application/json; charset=utf-8')
  t.equal(row.gateway.body, json, 'the event\'s JSON, as the upstream sent it')
  t.equal(row.rule, 'openai.rate-limit')
  t.equal(row.sdk?.direct, 'APIError, no status', 'direct, the SDK raises an error retry logic cannot read')
  t.equal(row.sdk?.gateway, 'RateLimitError 429')
  t.ok(row.ok)
})

t.test('streamed: the sglang in-band context-length error (litellm#25492) is 400 application/json through the proxy', async (t) => {
  const fixture = providerErrors.find((f) => f.provider === 'sglang' && f.sse !== undefined)
  t.ok(fixture, 'the fixture is in test/fixtures')
  const { events, json } = demo.STREAM_ERRORS[demo.SGLANG_MODEL]
  t.equal(events.join(''), fixture?.sse, 'the demo streams the fixture\'s bytes')
  t.same(JSON.parse(json), fixture?.body)
  const row = rowOf(await demoRows(), 'proxied', demo.SGLANG_MODEL, true)
  t.equal(row.direct.status, 200)
  t.match(row.direct.contentType, /^text\/event-stream/)
  t.equal(row.direct.body, fixture?.sse)
  t.equal(row.gateway.status, 400)
  t.match(row.gateway.contentType, /^application\/json/)
  t.equal(row.gateway.body, json)
  t.equal(row.sdk?.direct, 'ends, no chunks', 'direct, the SDK ends the stream quietly with nothing')
  t.equal(row.sdk?.gateway, 'BadRequestError 400')
})

t.test('streamed: a completion stream passes the proxy byte-identical', async (t) => {
  const row = rowOf(await demoRows(), 'proxied', demo.KNOWN_MODEL, true)
  t.equal(row.direct.status, 200)
  t.equal(row.gateway.status, 200)
  t.match(row.gateway.contentType, /^text\/event-stream/)
  t.equal(row.gateway.body, row.direct.body)
  t.match(row.gateway.body, /^data: \{"id":"chatcmpl-demo"[\s\S]*data: \[DONE\]\n\n$/)
  t.equal(row.rule, null)
  t.equal(row.sdk?.gateway, 'streams "Hello! How can I help?"')
  t.equal(row.sdk?.direct, row.sdk?.gateway)
})

t.test('every demo row is fixed', async (t) => {
  const rows = await demoRows()
  t.equal(rows.length, 10)
  for (const row of rows) t.ok(row.ok, `${row.section}: ${row.name}`)
})

t.test('the openai SDK takes the upstream\'s answer for a success and throws NotFoundError through the gateway', async (t) => {
  const running = await demo.startDemo()
  t.teardown(() => running.close())
  const direct = new OpenAI({ apiKey: 'sk-1234', baseURL: running.upstreamUrl, maxRetries: 0 })
  const completion = await direct.chat.completions.create(reportRequest)
  t.equal(completion.choices, undefined, 'direct: the SDK resolves with a completion that has no choices')

  for (const url of [running.gatewayUrl, running.proxyUrl]) {
    const gateway = new OpenAI({ apiKey: 'sk-1234', baseURL: `${url}/v1`, maxRetries: 0 })
    const err = await gateway.chat.completions.create(reportRequest).then(() => null, (e: unknown) => e)
    t.ok(err instanceof OpenAI.NotFoundError, `through ${url === running.proxyUrl ? 'the proxy' : 'the gateway'}: NotFoundError`)
    t.equal((err as InstanceType<typeof OpenAI.APIError>).status, 404)
    t.match((err as InstanceType<typeof OpenAI.APIError>).error, { message: 'No models available...', type: 'invalid_request_error' })
  }
})

t.test('control: the same forwarding route without the plugin passes the 200 on', async (t) => {
  const running = await demo.startDemo()
  t.teardown(() => running.close())
  const bare = await buildGateway(t, { plugin: false })
  bare.post('/v1/chat/completions', async (request, reply) => {
    const upstream = await fetch(`${running.upstreamUrl}/chat/completions`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(request.body)
    })
    return reply.code(upstream.status).header('content-type', upstream.headers.get('content-type')).send(Buffer.from(await upstream.arrayBuffer()))
  })
  const res = await bare.inject({ method: 'POST', url: '/v1/chat/completions', payload: reportRequest })
  t.equal(res.statusCode, 200, 'without the plugin the error leaves as a success')
  t.equal(res.body, reportBody)
})

t.test('node examples/demo.js exits 0 within 10 s and prints before and after for every section', async (t) => {
  const { code, stdout, stderr, ms } = await run([demoFile])
  t.equal(code, 0, stderr)
  t.ok(ms < 10_000, `ran in ${ms} ms`)
  t.match(stdout, /totally-nonexistent-model-xyz\s+200\s+404\s+litellm\.no-models-available/)
  t.match(stdout, /gpt-4o-mini\s+200\s+200/)
  t.match(stdout, `upstream: 200 ${reportBody}`)
  t.match(stdout, `gateway:  404 ${reportBody}`)
  t.match(stdout, /Proxied: examples\/proxy-gateway\.js/)
  t.match(stdout, /LiteLLM, unknown model \(#27030\)\s+200 application\/json\s+404 application\/json\s+litellm\.no-models-available/)
  t.match(stdout, /stream, rate limit first\s+200 text\/event-stream\s+429 application\/json\s+openai\.rate-limit/)
  t.match(stdout, /stream, sglang context \(#25492\)\s+200 text\/event-stream\s+400 application\/json/)
  t.match(stdout, /stream, completion\s+200 text\/event-stream\s+200 text\/event-stream/)
  t.match(stdout, /the completion: \d+ bytes, identical/)
  t.match(stdout, /stream, rate limit first\s+APIError, no status\s+RateLimitError 429/)
  t.match(stdout, /stream, sglang context \(#25492\)\s+ends, no chunks\s+BadRequestError 400/)
  t.match(stdout, /^OK: all 10 cases/m)
  t.notMatch(stdout, /WRONG|FAILED/)
})

t.test('the demo exits 1 and names the rows when the gateway does not fix them (streams not inspected)', async (t) => {
  // The proxy without stream inspection: everything reply-from hands the plugin goes out as it came.
  const script = `
    const proxy = require('./examples/proxy-gateway.js')
    const build = proxy.build
    proxy.build = (opts) => build({ ...opts, openaiErrors: { inspectStreams: false } })
    require('./examples/demo.js').main().then((ok) => { process.exitCode = ok ? 0 : 1 })
  `
  const { code, stdout } = await run(['-e', script])
  t.equal(code, 1)
  t.match(stdout, /stream, rate limit first\s+200 text\/event-stream\s+200 text\/event-stream\s+openai\.rate-limit {2}<- WRONG/)
  t.match(stdout, /stream, rate limit first\s+APIError, no status\s+APIError, no status {2}<- WRONG/)
  t.match(stdout, /^FAILED: .*stream, rate limit first \(proxied\) answered 200, SDK APIError, no status, expected 429, SDK RateLimitError 429/m)
  t.notMatch(stdout, /stream, completion[^\n]*WRONG/, 'the success stream is still fine')
  t.notMatch(stdout, /totally-nonexistent-model-xyz[^\n]*WRONG/, 'the buffered gateway is not affected')
})
