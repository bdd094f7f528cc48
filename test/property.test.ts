import t from 'tap'
import fc from 'fast-check'
import { Readable } from 'node:stream'
import type { FastifyInstance } from 'fastify'
import { appWith } from './helpers/app'
import type { Teardown } from './helpers/upstream'
import { findEnvelope } from '../lib/core/extract'
import { defaultTable } from '../lib/core/table'

const mayBeErrorText = defaultTable.gate.text

// Properties over real Fastify instances (inject): whatever a route sends, the plugin never loses or changes a
// byte it was not asked to rewrite, never throws, and every status it sets is an error status with a body whose
// content-length is right. Run counts stay modest so the file runs in a few seconds.

const RUNS = Number(process.env.FC_RUNS ?? 150)

interface Case {
  status: number
  contentType: string | undefined
  payload: string | Buffer | (() => Readable)
}

let current: Case = { status: 200, contentType: undefined, payload: '' }

/** An app with the plugin and one route that sends `current` as it is. */
async function caseApp (t: Teardown, options: Record<string, unknown> = {}): Promise<FastifyInstance> {
  const app = await appWith(options)
  app.get('/case', async (_request, reply) => {
    reply.code(current.status)
    if (current.contentType !== undefined) reply.header('content-type', current.contentType)
    return reply.send(typeof current.payload === 'function' ? current.payload() : current.payload)
  })
  await app.ready()
  t.teardown(() => app.close())
  return app
}

async function send (app: FastifyInstance, value: Case): Promise<{ status: number, body: Buffer, contentLength: string | undefined }> {
  current = value
  const res = await app.inject('/case')
  return { status: res.statusCode, body: res.rawPayload, contentLength: res.headers['content-length'] as string | undefined }
}

const bytesOf = (payload: string | Buffer): Buffer => (typeof payload === 'string' ? Buffer.from(payload) : payload)

function parse (bytes: Buffer): unknown {
  try {
    return JSON.parse(bytes.toString())
  } catch {
    return undefined
  }
}

/** A body the plugin must leave alone: nothing in it is an error envelope (an envelope that is weak counts too). */
const isError = (value: unknown): boolean => findEnvelope(value) !== null

// ---- arbitraries ----

// Statuses a route may send with a body (204, 205 and 304 carry none).
const status = fc.oneof(
  fc.constant(200),
  fc.integer({ min: 200, max: 299 }).filter((s) => s !== 204 && s !== 205),
  fc.integer({ min: 400, max: 599 })
)

const contentType = fc.oneof(
  fc.constantFrom(undefined, 'application/json', 'application/json; charset=utf-8', 'application/problem+json',
    'application/x-ndjson', 'text/plain', 'text/event-stream', 'text/html', 'application/octet-stream', 'JSON'),
  fc.stringMatching(/^[\x20-\x7e]{0,40}$/)
)

// Keys that steer the detector: the envelope keys, the resource keys, and the prototype's names.
const trickyKey = fc.constantFrom('error', 'message', 'Message', 'object', 'type', 'code', 'status', 'statusCode', 'id',
  'choices', 'data', 'usage', 'request_id', '__type', '__proto__', 'constructor', 'prototype', 'toString')

const json = fc.jsonValue({ maxDepth: 4, stringUnit: 'binary' })
const trickyObject = fc.dictionary(fc.oneof(trickyKey, fc.string()), json, { maxKeys: 6 })
const jsonText = fc.tuple(fc.oneof(json, trickyObject, fc.array(trickyObject, { maxLength: 3 })), fc.constantFrom(undefined, 0, 2, '\t'))
  .map(([value, space]) => JSON.stringify(value, null, space) ?? 'null')

const nonErrorJsonText = jsonText.filter((text) => !isError(JSON.parse(text)))

// Error envelopes in every dialect, with arbitrary fields: codes that are statuses, are not, or are nonsense.
const message = fc.oneof(fc.string({ unit: 'binary', maxLength: 200 }), fc.constantFrom('', 'None', 'No models available', 'Rate limit reached', 'model "x" not found'))
const errorType = fc.oneof(fc.string({ maxLength: 30 }), fc.constantFrom(undefined, 'invalid_request_error', 'overloaded_error', 'rate_limit_error', 'None'))
const code = fc.oneof(
  fc.constantFrom(undefined, null, 429, '429', 404, '1300', 999, -1, '429abc', 429.5, 200, '200', 0, 1e21, '', 'model_not_found'),
  fc.integer({ min: -1000, max: 1000 }),
  fc.double(),
  fc.string({ maxLength: 6 })
)
const googleStatus = fc.constantFrom(undefined, 'RESOURCE_EXHAUSTED', 'NOT_FOUND', 'INTERNAL', 'BOGUS')
const envelope = fc.oneof(
  fc.record({ message, type: errorType, code, param: fc.constantFrom(undefined, null, 'model') }).map((error) => ({ error })),
  fc.record({ type: errorType, message }).map((error) => ({ type: 'error', error })),
  fc.record({ object: fc.constant('error'), message, type: errorType, code, raw_status_code: code }),
  fc.record({ error: fc.string({ unit: 'binary', minLength: 1 }), error_type: errorType, code, statusCode: code }),
  fc.record({ code, message, status: googleStatus }).map((error) => ({ error })),
  fc.record({ code, message, status: googleStatus }).map((error) => [{ error }]),
  fc.record({ message: fc.oneof(message, fc.constant('Too many requests, please wait before trying again.')) })
)
const envelopeText = fc.tuple(envelope, fc.constantFrom(undefined, 2)).map(([value, space]) => JSON.stringify(value, null, space))

/** `bytes` cut at arbitrary places. */
function chunked (bytes: Buffer, cuts: number[]): Buffer[] {
  const points = [...new Set(cuts.map((cut) => (bytes.length === 0 ? 0 : cut % bytes.length)))].filter((p) => p > 0).sort((a, b) => a - b)
  const chunks: Buffer[] = []
  let start = 0
  for (const point of [...points, bytes.length]) {
    chunks.push(bytes.subarray(start, point))
    start = point
  }
  return chunks.filter((chunk) => chunk.length > 0)
}
const cuts = fc.array(fc.nat(), { maxLength: 12 })

async function assertProperty (t: { pass: (message: string) => void }, property: fc.IAsyncPropertyWithHooks<any>, numRuns = RUNS): Promise<void> {
  await fc.assert(property, { numRuns })
  t.pass(`held for ${numRuns} generated cases`)
}

// ---- string and Buffer bodies ----

t.test('a body that is no error envelope keeps its status and its bytes, whatever its content type', async (t) => {
  const app = await caseApp(t)
  await assertProperty(t, fc.asyncProperty(nonErrorJsonText, status, contentType, fc.boolean(), async (text, code, type, asBuffer) => {
    const payload = asBuffer ? Buffer.from(text) : text
    const res = await send(app, { status: code, contentType: type, payload })
    return res.status === code && res.body.equals(bytesOf(payload))
  }))
})

t.test('arbitrary bytes (invalid UTF-8 included) go out byte for byte; the status changes only for an envelope', async (t) => {
  const app = await caseApp(t)
  const bytes = fc.oneof(
    fc.uint8Array({ maxLength: 600 }).map((a) => Buffer.from(a)),
    // Invalid UTF-8 inside what looks like an envelope.
    fc.tuple(fc.constantFrom('{"error":"', '{"error":{"message":"', '{"message":"', '{"object":"error","message":"'), fc.uint8Array({ maxLength: 100 }), fc.constantFrom('"}', '"}}', ''))
      .map(([head, middle, tail]) => Buffer.concat([Buffer.from(head), Buffer.from(middle), Buffer.from(tail)]))
  )
  await assertProperty(t, fc.asyncProperty(bytes, status, fc.constantFrom(undefined, 'application/json'), fc.boolean(), async (raw, code, type, asString) => {
    // A string is what the route holds after decoding; its bytes are what must go out.
    const payload = asString ? raw.toString('latin1') : raw
    const res = await send(app, { status: code, contentType: type, payload })
    if (!res.body.equals(bytesOf(payload))) return false
    if (res.status === code) return true
    return res.status >= 400 && res.status <= 599 && isError(parse(bytesOf(payload)))
  }))
})

t.test('deep nesting, huge strings and __proto__ keys go out as they came', async (t) => {
  const app = await caseApp(t)
  const depth = fc.integer({ min: 1, max: 20000 })
  const shaped = fc.oneof(
    depth.map((n) => '['.repeat(n) + ']'.repeat(n)),
    depth.map((n) => '{"a":'.repeat(n) + '1' + '}'.repeat(n)),
    depth.map((n) => '{"id":1,"error":'.repeat(n) + '"x"' + '}'.repeat(n)),
    depth.map((n) => '['.repeat(n)), // never closed: not JSON
    fc.integer({ min: 0, max: 60000 }).map((n) => JSON.stringify({ id: 'x', choices: [{ message: { content: 'a'.repeat(n) } }] })),
    fc.integer({ min: 0, max: 60000 }).map((n) => `{"__proto__":{"error":{"message":"${'b'.repeat(n)}"}},"constructor":{"prototype":{"error":"x"}}}`),
    fc.integer({ min: 0, max: 60000 }).map((n) => `{"message":"${' '.repeat(n)}","time":1}`)
  ).filter((text) => !isError(parse(Buffer.from(text))))
  await assertProperty(t, fc.asyncProperty(shaped, fc.boolean(), async (text, asBuffer) => {
    const payload = asBuffer ? Buffer.from(text) : text
    const res = await send(app, { status: 200, contentType: 'application/json', payload })
    return res.status === 200 && res.body.equals(bytesOf(payload))
  }))
  t.equal(({} as Record<string, unknown>).error, undefined, 'no prototype was touched')
})

t.test('an error envelope of any dialect leaves with a 4xx/5xx, its bytes and a matching content-length', async (t) => {
  const app = await caseApp(t)
  await assertProperty(t, fc.asyncProperty(envelopeText, fc.integer({ min: 200, max: 203 }), fc.boolean(), async (text, code, asBuffer) => {
    const payload = asBuffer ? Buffer.from(text) : text
    const res = await send(app, { status: code, contentType: 'application/json', payload })
    if (!res.body.equals(bytesOf(payload)) || res.contentLength !== String(res.body.length)) return false
    const found = findEnvelope(JSON.parse(text))
    if (found === null || found.weak) return res.status === code || (found !== null && res.status >= 400 && res.status <= 599)
    return res.status >= 400 && res.status <= 599
  }))
})

t.test('with rewriteBody, every envelope is answered with a parseable OpenAI body and a matching content-length', async (t) => {
  const app = await caseApp(t, { rewriteBody: true, correctErrorStatus: true })
  await assertProperty(t, fc.asyncProperty(envelopeText, status, async (text, code) => {
    const res = await send(app, { status: code, contentType: 'application/json', payload: text })
    if (res.contentLength !== String(res.body.length)) return false
    if (res.status === code) return res.body.toString() === text // left alone: the same bytes
    if (res.status < 400 || res.status > 599) return false
    const body = JSON.parse(res.body.toString())
    return typeof body.error.message === 'string' && typeof body.error.type === 'string' && Object.keys(body.error).length === 4
  }))
})

t.test('the byte gate never drops an envelope that is not a bare message', async (t) => {
  await assertProperty(t, fc.asyncProperty(envelopeText, async (text) => {
    const found = findEnvelope(JSON.parse(text))
    return found === null || found.weak || mayBeErrorText(text)
  }))
})

// ---- stream bodies ----

t.test('a JSON stream cut into arbitrary chunks goes out byte for byte when it is no error', async (t) => {
  const app = await caseApp(t)
  await assertProperty(t, fc.asyncProperty(nonErrorJsonText, cuts, fc.constantFrom('application/json', undefined), async (text, at, type) => {
    const bytes = Buffer.from(text)
    const chunks = chunked(bytes, at)
    const res = await send(app, { status: 200, contentType: type, payload: () => Readable.from(chunks) })
    return res.status === 200 && res.body.equals(bytes)
  }))
})

t.test('a JSON error stream cut into arbitrary chunks leaves with a 4xx/5xx and every byte', async (t) => {
  const app = await caseApp(t)
  await assertProperty(t, fc.asyncProperty(envelopeText, cuts, async (text, at) => {
    const bytes = Buffer.from(text)
    const res = await send(app, { status: 200, contentType: 'application/json', payload: () => Readable.from(chunked(bytes, at)) })
    if (!res.body.equals(bytes) || res.contentLength !== String(bytes.length)) return false
    const found = findEnvelope(JSON.parse(text))
    return found === null || found.weak ? res.status === 200 || (res.status >= 400 && res.status <= 599) : res.status >= 400 && res.status <= 599
  }))
})

// Server-sent events: comments, pings and data events, with any line ending.
const eol = fc.constantFrom('\n', '\r\n', '\r')
const successData = nonErrorJsonText.map((text) => text.replace(/[\r\n]+/g, ' '))
const noise = fc.oneof(
  fc.constant(': keep-alive'),
  fc.constant('event: ping\ndata: {}'),
  fc.string({ maxLength: 20 }).map((s) => ': ' + s.replace(/[\r\n]/g, ''))
)

function sseText (blocks: string[], end: string): string {
  return blocks.map((block) => block.replace(/\n/g, end) + end + end).join('')
}

t.test('an event stream whose first data event is no error goes out byte for byte, cut anywhere', async (t) => {
  const app = await caseApp(t)
  const events = fc.tuple(fc.array(noise, { maxLength: 3 }), fc.array(successData, { minLength: 1, maxLength: 4 }), fc.boolean())
  await assertProperty(t, fc.asyncProperty(events, eol, cuts, async ([before, data, withError], end, at) => {
    const blocks = [...before, ...data.map((d) => 'data: ' + d)]
    // An error after the first data event cannot change the status: it goes out with the rest.
    if (withError) blocks.push('data: {"error":{"message":"late","type":"server_error"}}')
    const bytes = Buffer.from(sseText([...blocks, 'data: [DONE]'], end))
    const res = await send(app, { status: 200, contentType: 'text/event-stream', payload: () => Readable.from(chunked(bytes, at)) })
    return res.status === 200 && res.body.equals(bytes)
  }))
})

t.test('an event stream whose first data event is an error is answered as JSON with a 4xx/5xx, cut anywhere', async (t) => {
  const app = await caseApp(t)
  const errorFirst = fc.tuple(fc.array(noise, { maxLength: 3 }), envelope.filter((value) => {
    const found = findEnvelope(value)
    return found !== null && !found.weak
  }), fc.boolean())
  await assertProperty(t, fc.asyncProperty(errorFirst, eol, cuts, async ([before, value, named], end, at) => {
    const blocks = [...before, (named ? 'event: error\n' : '') + 'data: ' + JSON.stringify(value), 'data: [DONE]']
    const bytes = Buffer.from(sseText(blocks, end))
    const res = await send(app, { status: 200, contentType: 'text/event-stream', payload: () => Readable.from(chunked(bytes, at)) })
    if (res.status < 400 || res.status > 599 || res.contentLength !== String(res.body.length)) return false
    return findEnvelope(JSON.parse(res.body.toString())) !== null
  }))
})
