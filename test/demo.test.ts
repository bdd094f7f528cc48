import t from 'tap'
import { execFile } from 'node:child_process'
import { join } from 'node:path'
import Fastify from 'fastify'
import OpenAI from 'openai'

// The demo is plain CommonJS JavaScript that runs on the built dist/ (npm test builds first).
interface Answer { status: number, contentType: string | null, body: string }
interface Row { name: string, model: string, expected: number, direct: Answer, gateway: Answer, rule: string | null, ok: boolean }
interface Demo { upstreamUrl: string, gatewayUrl: string, close: () => Promise<void> }
const demo: {
  runDemo: () => Promise<Row[]>
  startDemo: () => Promise<Demo>
  REPORT_MODEL: string
  KNOWN_MODEL: string
} = require('../examples/demo.js')

const demoFile = join(__dirname, '..', 'examples', 'demo.js')
// BerriAI/litellm#27030, as the report quotes it.
const reportRequest = { model: 'totally-nonexistent-model-xyz', messages: [{ role: 'user' as const, content: 'hi' }] }
const reportBody = '{"error":{"message":"No models available...","type":"invalid_request_error"}}'

t.test('BerriAI/litellm#27030: the unknown-model request answers 200 upstream and 404 through the gateway, same bytes', async (t) => {
  const rows = await demo.runDemo()
  const row = rows.find((r) => r.model === reportRequest.model)
  if (row === undefined) throw new Error('the demo has no row for the report\'s request')
  t.equal(row.direct.status, 200, 'the upstream answers 200, as in the report')
  t.equal(row.direct.body, reportBody, 'with the report\'s error body')
  t.equal(row.gateway.status, 404, 'the gateway answers 404')
  t.equal(row.gateway.body, reportBody, 'with the upstream\'s body, byte for byte')
  t.match(row.gateway.contentType, /^application\/json/)
  t.equal(row.rule, 'litellm.no-models-available')
  t.ok(row.ok)
})

t.test('a successful completion passes the gateway untouched', async (t) => {
  const rows = await demo.runDemo()
  const row = rows.find((r) => r.model === demo.KNOWN_MODEL)
  if (row === undefined) throw new Error('the demo has no success row')
  t.equal(row.direct.status, 200)
  t.equal(row.gateway.status, 200)
  t.equal(row.gateway.body, row.direct.body)
  t.equal(JSON.parse(row.gateway.body).object, 'chat.completion')
  t.equal(row.rule, null, 'the body is not an error')
})

t.test('every other dialect in the demo leaves the gateway with the status it means', async (t) => {
  const rows = await demo.runDemo()
  t.ok(rows.length >= 4)
  for (const row of rows) {
    t.equal(row.direct.status, 200, `${row.name}: upstream 200`)
    t.equal(row.gateway.status, row.expected, `${row.name}: gateway ${row.expected}`)
    t.equal(row.gateway.body, row.direct.body, `${row.name}: body untouched`)
  }
  t.same(rows.map((r) => r.gateway.status), [404, 200, 404, 429, 404])
})

t.test('the openai SDK takes the upstream\'s answer for a success and throws NotFoundError through the gateway', async (t) => {
  const running = await demo.startDemo()
  t.teardown(() => running.close())
  const direct = new OpenAI({ apiKey: 'sk-1234', baseURL: running.upstreamUrl, maxRetries: 0 })
  const completion = await direct.chat.completions.create(reportRequest)
  t.equal(completion.choices, undefined, 'direct: the SDK resolves with a completion that has no choices')

  const gateway = new OpenAI({ apiKey: 'sk-1234', baseURL: `${running.gatewayUrl}/v1`, maxRetries: 0 })
  const err = await gateway.chat.completions.create(reportRequest).then(() => null, (e: unknown) => e)
  t.ok(err instanceof OpenAI.NotFoundError, 'through the gateway: NotFoundError')
  t.equal((err as InstanceType<typeof OpenAI.APIError>).status, 404)
  t.match((err as InstanceType<typeof OpenAI.APIError>).error, { message: 'No models available...', type: 'invalid_request_error' })
})

t.test('control: the same forwarding route without the plugin passes the 200 on', async (t) => {
  const running = await demo.startDemo()
  t.teardown(() => running.close())
  const bare = Fastify()
  bare.post('/v1/chat/completions', async (request, reply) => {
    const upstream = await fetch(`${running.upstreamUrl}/chat/completions`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(request.body)
    })
    return reply.code(upstream.status).header('content-type', upstream.headers.get('content-type')).send(Buffer.from(await upstream.arrayBuffer()))
  })
  t.teardown(() => bare.close())
  const res = await bare.inject({ method: 'POST', url: '/v1/chat/completions', payload: reportRequest })
  t.equal(res.statusCode, 200, 'without the plugin the error leaves as a success')
  t.equal(res.body, reportBody)
})

t.test('node examples/demo.js exits 0 and prints 200 before, 404 after', async (t) => {
  const { code, stdout, stderr } = await new Promise<{ code: number | null, stdout: string, stderr: string }>((resolve) => {
    const child = execFile(process.execPath, [demoFile], { timeout: 30_000 }, (_err, stdout, stderr) => {
      resolve({ code: child.exitCode, stdout, stderr })
    })
  })
  t.equal(code, 0, stderr)
  t.match(stdout, /totally-nonexistent-model-xyz\s+200\s+404\s+litellm\.no-models-available/)
  t.match(stdout, /gpt-4o-mini\s+200\s+200/)
  t.match(stdout, `upstream: 200 ${reportBody}`)
  t.match(stdout, `gateway:  404 ${reportBody}`)
  t.match(stdout, /^OK: all \d+ cases/m)
  t.notMatch(stdout, /WRONG|FAILED/)
})
