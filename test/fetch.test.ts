import t from 'tap'
import { execFileSync } from 'node:child_process'
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib'
import type { ServerResponse } from 'node:http'
import { createNormalizer, normalizeResponse } from '../lib/fetch/index'
import { classify } from '../lib/core/table'
import { startUpstream, type Teardown } from './helpers/upstream'

// normalizeResponse on real fetch Responses from real upstreams on 127.0.0.1, with real corpus bodies.
const { load } = require('../scripts/corpus.js')

interface Entry { provider: string, status: number, body?: unknown, body_text?: string, sse?: string, ndjson?: string, file: string, index: number }
const errors: Entry[] = load('errors')
const successes: Entry[] = load('successes')
const textOf = (entry: Entry): string => entry.body_text ?? JSON.stringify(entry.body)

const find = (predicate: (entry: Entry) => boolean): Entry => errors.find(predicate) as Entry
const notFound = find((entry) => entry.status === 404 && entry.provider === 'anthropic')
const rateLimited = find((entry) => entry.status === 429 && /rate_limit/.test(textOf(entry)))
const sglangSse = find((entry) => typeof entry.sse === 'string')
const completion = successes.find((entry) => (entry.body as { object?: string } | undefined)?.object === 'chat.completion') as Entry
const sseSuccess = successes.find((entry) => typeof entry.sse === 'string' && entry.sse.startsWith('data: {"id":"chatcmpl')) as Entry

type Part = string | Buffer | number | 'destroy' | Promise<unknown>

/** An upstream that answers 200 with these headers, then writes the parts: text or bytes, a pause in ms, a promise to wait for, or a reset. */
async function upstreamWith (t: Teardown, headers: Record<string, string>, parts: Part[], status = 200) {
  return await startUpstream(t, (_req, res: ServerResponse) => {
    res.writeHead(status, headers)
    res.flushHeaders()
    void (async () => {
      for (const part of parts) {
        if (typeof part === 'number') await new Promise((resolve) => setTimeout(resolve, part))
        else if (part instanceof Promise) await part
        else if (part === 'destroy') return res.socket?.destroy()
        else res.write(part)
      }
      res.end()
    })()
  })
}

const json = { 'content-type': 'application/json' }
const eventStream = { 'content-type': 'text/event-stream' }

t.test('every corpus error an upstream sent with 200 leaves with the status the classifier gives it, its bytes as they came', async (t) => {
  const upstream = await startUpstream(t, (req, res) => {
    const entry = errors[Number(req.url?.slice(1))]
    res.writeHead(200, json)
    res.end(textOf(entry))
  })
  const normalize = createNormalizer()
  let exact = 0
  let judged = 0
  for (const [index, entry] of errors.entries()) {
    if (typeof entry.sse === 'string' || typeof entry.ndjson === 'string') continue
    const expected = classify(textOf(entry))?.status ?? 200
    const res = await normalize(await fetch(`${upstream.url}/${index}`))
    judged++
    if (res.status === entry.status) exact++
    if (res.status !== expected) t.fail(`${entry.file}#${entry.index}: ${res.status}, the classifier says ${expected}`)
    if (await res.text() !== textOf(entry)) t.fail(`${entry.file}#${entry.index}: the bytes changed`)
  }
  t.ok(judged >= 250, `${judged} corpus errors`)
  t.ok(exact / judged >= 0.95, `${exact} of ${judged} leave with the status their provider sent`)
})

t.test('corpus successes keep status 200 and every byte, resource objects with "error": null included', async (t) => {
  const upstream = await startUpstream(t, (req, res) => {
    const entry = successes[Number(req.url?.slice(1))]
    const type = entry.sse !== undefined ? 'text/event-stream' : entry.ndjson !== undefined ? 'application/x-ndjson' : 'application/json'
    res.writeHead(200, { 'content-type': type })
    res.end(entry.sse ?? entry.ndjson ?? textOf(entry))
  })
  const normalize = createNormalizer()
  let nullErrors = 0
  for (const [index, entry] of successes.entries()) {
    const sent = entry.sse ?? entry.ndjson ?? textOf(entry)
    if (/"error": ?null/.test(sent)) nullErrors++
    const res = await normalize(await fetch(`${upstream.url}/${index}`))
    if (res.status !== 200) t.fail(`${entry.file}#${entry.index}: status ${res.status}`)
    if (await res.text() !== sent) t.fail(`${entry.file}#${entry.index}: the bytes changed`)
  }
  t.ok(nullErrors >= 5, `${nullErrors} of them carry "error": null`)
})

t.test('an SSE stream whose first event is an error is answered with that error as JSON and its status', async (t) => {
  const upstream = await upstreamWith(t, eventStream, [sglangSse.sse as string])
  const res = await normalizeResponse(await fetch(upstream.url))
  t.equal(res.status, sglangSse.status)
  t.equal(res.headers.get('content-type'), 'application/json; charset=utf-8')
  t.equal(res.headers.get('x-upstream-status'), '200')
  t.same(await res.json(), sglangSse.body, 'the error event\'s own JSON')
})

t.test('an SSE success streams through: its first bytes arrive before the upstream ends, then every byte', async (t) => {
  let release = (): void => {}
  const released = new Promise<void>((resolve) => { release = resolve })
  const text = sseSuccess.sse as string
  const cut = text.indexOf('\n\n') + 2
  const upstream = await upstreamWith(t, eventStream, [text.slice(0, cut), released, text.slice(cut)])
  const started = Date.now()
  const res = await normalizeResponse(await fetch(upstream.url))
  t.equal(res.status, 200)
  const reader = (res.body as ReadableStream<Uint8Array>).getReader()
  const first = await reader.read()
  t.ok(Date.now() - started < 2000, 'first bytes before the upstream went on')
  release()
  const chunks = [Buffer.from(first.value as Uint8Array)]
  for (let read = await reader.read(); !read.done; read = await reader.read()) chunks.push(Buffer.from(read.value))
  t.equal(Buffer.concat(chunks).toString(), text)
})

t.test('a gzip body: an error read through its encoding maps, the bytes sent as they came', async (t) => {
  const compressed = gzipSync(textOf(notFound))
  const res = await normalizeResponse(new Response(compressed, { headers: { ...json, 'content-encoding': 'gzip' } }))
  t.equal(res.status, 404)
  t.same(Buffer.from(await res.arrayBuffer()), compressed)
})

t.test('a compressed success (gzip, deflate, br) goes on as it came, its head looked at through its encoding', async (t) => {
  for (const [encoding, compress] of [['gzip', gzipSync], ['deflate', deflateSync], ['br', brotliCompressSync]] as const) {
    const compressed = compress(textOf(completion))
    const res = await normalizeResponse(new Response(compressed, { headers: { ...json, 'content-encoding': encoding } }))
    t.equal(res.status, 200, encoding)
    t.equal(res.headers.get('content-encoding'), encoding, `${encoding}: the header kept`)
    t.same(Buffer.from(await res.arrayBuffer()), compressed, `${encoding}: the bytes as they came`)
  }
})

t.test('a gzip body that Node\'s fetch decoded (the header kept) is read as it is', async (t) => {
  const upstream = await upstreamWith(t, { ...json, 'content-encoding': 'gzip' }, [gzipSync(textOf(notFound))])
  const res = await normalizeResponse(await fetch(upstream.url))
  t.equal(res.status, 404)
  t.equal(await res.text(), textOf(notFound))
})

t.test('a gzip event stream is read through its encoding', async (t) => {
  const res = await normalizeResponse(new Response(gzipSync(sglangSse.sse as string), { headers: { ...eventStream, 'content-encoding': 'gzip' } }))
  t.equal(res.status, sglangSse.status)
  t.equal(res.headers.get('content-encoding'), null, 'the JSON answer is not compressed')
})

t.test('a body over maxBodyBytes is untouched: with a content-length it is not read at all', async (t) => {
  const response = new Response(textOf(notFound), { headers: { ...json, 'content-length': String(textOf(notFound).length) } })
  t.equal(await normalizeResponse(response, { maxBodyBytes: 16 }), response)
})

t.test('a chunked body over maxBodyBytes is read to the bound only and replayed byte for byte', async (t) => {
  const text = textOf(notFound)
  const upstream = await upstreamWith(t, json, [text.slice(0, 10), 20, text.slice(10)])
  const res = await normalizeResponse(await fetch(upstream.url), { maxBodyBytes: 8 })
  t.equal(res.status, 200)
  t.equal(await res.text(), text)
})

t.test('an upstream that fails mid-peek: the status stays and the body fails as the upstream\'s did', async (t) => {
  const upstream = await upstreamWith(t, json, ['{"error":{"mess', 20, 'destroy'])
  const res = await normalizeResponse(await fetch(upstream.url))
  t.equal(res.status, 200)
  await t.rejects(res.text())
})

t.test('an SSE upstream that fails before its first event: the stream goes on and fails the same way', async (t) => {
  const upstream = await upstreamWith(t, eventStream, ['data: {"id":', 20, 'destroy'])
  const res = await normalizeResponse(await fetch(upstream.url))
  t.equal(res.status, 200)
  await t.rejects(res.text())
})

t.test('an SSE success whose upstream fails after the peek: the first event goes on, then the stream fails the same way', async (t) => {
  const text = sseSuccess.sse as string
  const first = text.slice(0, text.indexOf('\n\n') + 2)
  const upstream = await upstreamWith(t, eventStream, [first, 50, 'destroy'])
  const res = await normalizeResponse(await fetch(upstream.url))
  t.equal(res.status, 200)
  const reader = (res.body as ReadableStream<Uint8Array>).getReader()
  const read = await reader.read()
  t.equal(Buffer.from(read.value as Uint8Array).toString(), first)
  await t.rejects(reader.read())
})

t.test('a long success whose head does not rule an error out is read chunk by chunk to its end, then goes on byte for byte with 200', async (t) => {
  const ocr = successes.find((entry) => Array.isArray((entry.body as { pages?: unknown } | undefined)?.pages)) as Entry
  const text = textOf(ocr)
  t.ok(text.length > 4096, 'longer than the head that is looked at')
  const parts: Part[] = []
  for (let at = 0; at < text.length; at += 700) parts.push(text.slice(at, at + 700), 2)
  const upstream = await upstreamWith(t, json, parts)
  const res = await normalizeResponse(await fetch(upstream.url))
  t.equal(res.status, 200)
  t.equal(await res.text(), text)
})

t.test('an SSE error event after a comment in another chunk is still the first event and maps', async (t) => {
  const upstream = await upstreamWith(t, eventStream, [': ping\n\n', 20, sglangSse.sse as string])
  const res = await normalizeResponse(await fetch(upstream.url))
  t.equal(res.status, sglangSse.status)
  t.match(res.headers.get('content-type'), /application\/json/)
})

t.test('rewriteBody on a JSON error builds the body in the dialect of the request\'s path', async (t) => {
  const request = new Request('http://gateway.test/v1/messages', { method: 'POST' })
  const res = await createNormalizer({ rewriteBody: true })(new Response(textOf(rateLimited), { headers: json }), request)
  t.equal(res.status, 429)
  t.equal((JSON.parse(await res.text()) as { type?: string }).type, 'error', 'an Anthropic error body')
})

t.test('a JSON body slower than jsonPeekTimeoutMs goes on unread, every byte of it', async (t) => {
  const text = textOf(notFound)
  const upstream = await upstreamWith(t, json, [text.slice(0, 20), 300, text.slice(20)])
  const started = Date.now()
  const res = await normalizeResponse(await fetch(upstream.url), { jsonPeekTimeoutMs: 50 })
  t.ok(Date.now() - started < 250, 'decided at the timeout')
  t.equal(res.status, 200)
  t.equal(await res.text(), text)
})

t.test('a success head goes on at once, before the rest of the body arrives', async (t) => {
  const text = textOf(completion)
  const upstream = await upstreamWith(t, json, [text.slice(0, 60), 300, text.slice(60)])
  const started = Date.now()
  const res = await normalizeResponse(await fetch(upstream.url))
  t.ok(Date.now() - started < 250, 'decided on the head')
  t.equal(await res.text(), text)
})

t.test('an SSE stream with no event within sse.peekBytes goes on unread', async (t) => {
  const text = sseSuccess.sse as string
  const upstream = await upstreamWith(t, eventStream, [text.slice(0, 32), 20, text.slice(32)])
  const res = await normalizeResponse(await fetch(upstream.url), { sse: { peekBytes: 16 } })
  t.equal(res.status, 200)
  t.equal(await res.text(), text)
})

t.test('an SSE stream slower than sse.peekTimeoutMs goes on unread', async (t) => {
  const upstream = await upstreamWith(t, eventStream, [': ping\n\n', 300, sglangSse.sse as string])
  const res = await normalizeResponse(await fetch(upstream.url), { sse: { peekTimeoutMs: 50 } })
  t.equal(res.status, 200)
  t.equal(await res.text(), ': ping\n\n' + (sglangSse.sse as string))
})

t.test('an SSE stream that ends without a data event goes on as it came', async (t) => {
  const res = await normalizeResponse(new Response(': ping\n\n', { headers: eventStream }))
  t.equal(res.status, 200)
  t.equal(await res.text(), ': ping\n\n')
})

t.test('an NDJSON stream whose first line is an error maps; rewriteBody builds the OpenAI body', async (t) => {
  const res = await normalizeResponse(new Response(textOf(notFound) + '\n', { headers: { 'content-type': 'application/x-ndjson' } }), { rewriteBody: true })
  t.equal(res.status, 404)
  t.match(await res.json(), { error: { type: 'not_found_error', message: String } })
})

t.test('an event: error with plain-text data is an error: the body is built in the request\'s dialect', async (t) => {
  const request = new Request('http://gateway.test/v1/messages', { method: 'POST' })
  const res = await createNormalizer()(new Response('event: error\ndata: upstream model not found\n\n', { headers: eventStream }), request)
  t.equal(res.status, 404, 'its words say not found')
  t.match(await res.json(), { type: 'error', error: { message: String } })
})

t.test('sse: false and inspectStreams: false leave event streams unread', async (t) => {
  for (const options of [{ sse: false as const }, { inspectStreams: false }]) {
    const response = new Response(sglangSse.sse as string, { headers: eventStream })
    t.equal(await normalizeResponse(response, options), response)
  }
})

t.test('rewriteBody replaces a JSON error with the OpenAI shape, without the old framing headers', async (t) => {
  const response = new Response(textOf(notFound), { headers: { ...json, 'content-length': String(textOf(notFound).length) } })
  const res = await normalizeResponse(response, { rewriteBody: true })
  t.equal(res.status, 404)
  t.equal(res.headers.get('content-length'), null)
  t.match(await res.json(), { error: { type: 'not_found_error', param: null } })
})

t.test('a mapped 429 carries the upstream\'s retry-after on, as retry-after and retry-after-ms', async (t) => {
  const upstream = await upstreamWith(t, { ...json, 'retry-after': '7' }, [textOf(rateLimited)])
  const res = await normalizeResponse(await fetch(upstream.url), { upstreamStatusHeader: false })
  t.equal(res.status, 429)
  t.equal(res.headers.get('retry-after-ms'), '7000')
  t.equal(res.headers.get('x-upstream-status'), null)
})

t.test('retryHints: false sends no retry headers', async (t) => {
  const res = await normalizeResponse(new Response(textOf(rateLimited), { headers: { ...json, 'retry-after': '7' } }), { retryHints: false })
  t.equal(res.status, 429)
  t.equal(res.headers.get('retry-after-ms'), null)
  t.equal(res.headers.get('x-should-retry'), null)
})

t.test('reportOnly changes nothing and tells onNormalize what it would have done', async (t) => {
  const events: unknown[] = []
  const request = new Request('http://gateway.test/v1/chat/completions?x=1', { method: 'POST' })
  const normalize = createNormalizer({ reportOnly: true, onNormalize: (event) => events.push(event) })
  const res = await normalize(new Response(textOf(notFound), { headers: json }), request)
  t.equal(res.status, 200)
  t.equal(await res.text(), textOf(notFound))
  t.match(events, [{ source: 'body', method: 'POST', url: '/v1/chat/completions?x=1', route: undefined, originalStatus: 200, status: 404, reportOnly: true }])
  const stream = await normalize(new Response(sglangSse.sse as string, { headers: eventStream }))
  t.equal(stream.status, 200)
  t.equal(await stream.text(), sglangSse.sse)
  t.match(events[1], { source: 'stream', method: 'GET', url: '', status: sglangSse.status })
})

t.test('an onNormalize that throws does not break the response', async (t) => {
  const res = await normalizeResponse(new Response(textOf(notFound), { headers: json }), { onNormalize: () => { throw new Error('observer') } })
  t.equal(res.status, 404)
})

t.test('a provider function gets the response and the request; one that throws means no provider', async (t) => {
  const seen: unknown[] = []
  const request = new Request('http://gateway.test/v1/chat/completions')
  const response = new Response(textOf(notFound), { headers: json })
  const res = await normalizeResponse(response, { provider: (res, req) => { seen.push(res, req); return 'anthropic' } }, request)
  t.equal(res.status, 404)
  t.equal(seen[0], response)
  t.equal(seen[1], request)
  const thrown = await normalizeResponse(new Response(textOf(notFound), { headers: json }), { provider: () => { throw new Error('picker') } })
  t.equal(thrown.status, 404)
})

t.test('a rule that throws leaves the response as it came, body and stream alike', async (t) => {
  const rules = [{ when: () => { throw new Error('rule') }, status: 418 }]
  const res = await normalizeResponse(new Response(textOf(notFound), { headers: json }), { rules, defaultRules: false })
  t.equal(res.status, 200)
  t.equal(await res.text(), textOf(notFound))
  const stream = await normalizeResponse(new Response(sglangSse.sse as string, { headers: eventStream }), { rules, defaultRules: false })
  t.equal(stream.status, 200)
  t.equal(await stream.text(), sglangSse.sse)
})

t.test('responses that are not read are returned as they are: HEAD, 204, error statuses, other types and encodings', async (t) => {
  const normalize = createNormalizer()
  const cases: Array<[Response, Request | undefined]> = [
    [new Response(textOf(notFound), { headers: json }), new Request('http://gateway.test/', { method: 'HEAD' })],
    [new Response(null, { status: 204 }), undefined],
    [new Response(textOf(notFound), { status: 400, headers: json }), undefined],
    [new Response(textOf(notFound), { headers: { 'content-type': 'text/html' } }), undefined],
    [new Response(textOf(notFound), { headers: { ...json, 'content-encoding': 'zstd' } }), undefined],
    [new Response(sglangSse.sse as string, { status: 400, headers: eventStream }), undefined]
  ]
  for (const [response, request] of cases) t.equal(await normalize(response, request), response)
})

t.test('correctErrorStatus corrects a 4xx that a rule knows better', async (t) => {
  const res = await normalizeResponse(new Response(textOf(notFound), { status: 400, headers: json }), { correctErrorStatus: true })
  t.equal(res.status, 404)
})

t.test('a body with no content type is read as JSON; a response built from a string maps too', async (t) => {
  const res = await normalizeResponse(new Response(Buffer.from(textOf(notFound))))
  t.equal(res.status, 404)
})

t.test('cancelling the replayed body cancels the upstream\'s', async (t) => {
  let cancelled: unknown
  const source = new ReadableStream<Uint8Array>({
    start (controller) { controller.enqueue(Buffer.from(': ping\n\n')) },
    cancel (reason) { cancelled = reason }
  })
  const res = await normalizeResponse(new Response(source, { headers: eventStream }), { sse: { peekTimeoutMs: 20 } })
  await res.body?.cancel('client left')
  t.equal(cancelled, 'client left')
})

t.test('bad options fail at once with the option\'s name', async (t) => {
  t.throws(() => createNormalizer({ maxBodyBytes: -1 }), { code: 'FST_OPENAI_ERRORS_INVALID_OPTION', message: /"maxBodyBytes"/ })
  t.throws(() => createNormalizer({ sse: { peekBytes: 0 } }), { message: /"sse.peekBytes"/ })
  t.throws(() => createNormalizer({ errorHandler: false } as object), { message: /"errorHandler" is an option of the Fastify plugin/ })
  t.throws(() => createNormalizer({ provider: 'nope' }), { message: /"provider"/ })
  t.throws(() => createNormalizer('x' as unknown as object), { message: /"options"/ })
  await t.rejects(normalizeResponse(new Response('{}'), { fallbackStatus: 42 }), { message: /"fallbackStatus"/ })
})

t.test('the Fastify plugin\'s entry loads nothing of the Fetch adapter', async (t) => {
  const loaded = execFileSync(process.execPath, ['-e', "require('./dist/index.js'); console.log(Object.keys(require.cache).filter((f) => f.includes('fetch')).join(','))"], { cwd: `${__dirname}/..` }).toString().trim()
  t.equal(loaded, '')
})
