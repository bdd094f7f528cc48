import t from 'tap'
import { gzipSync, brotliCompressSync, createGzip, deflateSync, deflateRawSync } from 'node:zlib'
import { once } from 'node:events'
import http from 'node:http'
import { Readable } from 'node:stream'
import Fastify from 'fastify'
import compress from '@fastify/compress'
import plugin = require('../lib/index')
import { addressOf, buildGateway, captureLog, rawRequest } from './helpers/gateway'
import { startUpstream, type Handler } from './helpers/upstream'
import { providerErrors, successBodies } from './helpers/fixtures'
import { closedWithin, leftOver, resourceCounts } from './helpers/resources'

const NO_MODELS = '{"error":{"message":"No models available for selected model","type":"invalid_request_error"}}'
const CHUNK = '{"id":"c1","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":"hi"}}]}'

async function through (t: any, handler: Handler, options: Record<string, unknown> | false = {}, path = '/v1/chat/completions', init = {}): Promise<Awaited<ReturnType<typeof rawRequest>>> {
  const upstream = await startUpstream(t, handler)
  const gateway = await buildGateway(t, { plugin: options, upstream: upstream.url, listen: true })
  return await rawRequest(addressOf(gateway) + path, init)
}

/** Like `through`, with the gateway's warn-level log kept: the response, and how many late-error warnings it logged. */
async function throughLogged (t: any, handler: Handler): Promise<{ res: Awaited<ReturnType<typeof rawRequest>>, warnings: () => number }> {
  const { logger, raw: lines } = captureLog('warn')
  const upstream = await startUpstream(t, handler)
  const app = await buildGateway(t, { server: { logger }, upstream: upstream.url, listen: true })
  const res = await rawRequest(addressOf(app) + '/v1/chat/completions')
  return { res, warnings: () => lines.filter((line) => line.includes('error event after the stream started')).length }
}

function json (status: number, body: string | Buffer, headers: Record<string, string> = {}): Handler {
  return (_req, res) => {
    res.writeHead(status, { 'content-type': 'application/json', ...headers })
    res.end(body)
  }
}

/** A 200 with these headers whose body is written step by step: strings are written, numbers are pauses in ms. */
function paced (headers: Record<string, string>, steps: Array<string | number>): Handler {
  return (_req, res) => {
    res.writeHead(200, headers)
    let i = 0
    const next = (): void => {
      if (i === steps.length) { res.end(); return }
      const step = steps[i++]
      if (typeof step === 'number') setTimeout(next, step)
      else { res.write(step); next() }
    }
    next()
  }
}

function sse (events: Array<string | number>, headers: Record<string, string> = {}): Handler {
  return paced({ 'content-type': 'text/event-stream', 'cache-control': 'no-cache', ...headers }, events)
}

t.test('proxied JSON: a 200 error envelope from the upstream leaves with its status and bytes', async (t) => {
  const res = await through(t, json(200, NO_MODELS))
  t.equal(res.status, 404)
  t.equal(res.body.toString(), NO_MODELS)
  t.equal(res.headers['content-length'], String(Buffer.byteLength(NO_MODELS)))
})

t.test('without the plugin the same proxied call is a 200 (the bug the plugin fixes)', async (t) => {
  const res = await through(t, json(200, NO_MODELS), false)
  t.equal(res.status, 200)
})

t.test('proxied JSON sent chunked (no content-length) is read whole and remapped', async (t) => {
  const res = await through(t, (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' })
    res.write(NO_MODELS.slice(0, 20))
    setTimeout(() => res.end(NO_MODELS.slice(20)), 10)
  })
  t.equal(res.status, 404)
  t.equal(res.body.toString(), NO_MODELS)
  t.equal(res.headers['transfer-encoding'], undefined)
  t.equal(res.headers['content-length'], String(NO_MODELS.length))
})

t.test('every provider fixture proxied with 200 leaves with its real status', async (t) => {
  const upstream = await startUpstream(t, (req, res) => {
    const fixture = providerErrors[Number(req.url?.slice(1))]
    res.writeHead(200, { 'content-type': 'application/json' })
    res.end(JSON.stringify(fixture.body))
  })
  const gateway = await buildGateway(t, { upstream: upstream.url, listen: true })
  for (const [index, fixture] of providerErrors.entries()) {
    const res = await rawRequest(`${addressOf(gateway)}/${index}`)
    t.equal(res.status, fixture.semantic_status ?? fixture.status, `${fixture.provider}: ${fixture.source}`)
    t.equal(res.body.toString(), JSON.stringify(fixture.body))
  }
})

t.test('proxied JSON success bodies pass byte-identical, small and several MB large', async (t) => {
  const small = JSON.stringify(successBodies.find((f) => f.endpoint === 'POST /v1/chat/completions')?.body)
  const large = JSON.stringify({ id: 'x', object: 'list', data: Array.from({ length: 60000 }, (_, i) => ({ i, error: null, text: 'lorem ipsum dolor sit amet ' + i })) })
  t.ok(large.length > 3 * 1024 * 1024, 'the large body is several MB')
  const upstream = await startUpstream(t, (req, res) => {
    const body = req.url === '/small' ? small : large
    res.writeHead(200, { 'content-type': 'application/json' })
    if (req.url === '/chunked') {
      // written in pieces with no content-length: the plugin must not know the size in advance
      for (let i = 0; i < large.length; i += 65536) res.write(large.slice(i, i + 65536))
      res.end()
    } else {
      res.end(body)
    }
  })
  const gateway = await buildGateway(t, { upstream: upstream.url, listen: true })
  const smallRes = await rawRequest(addressOf(gateway) + '/small')
  t.equal(smallRes.status, 200)
  t.equal(smallRes.body.toString(), small)
  for (const path of ['/large', '/chunked']) {
    const res = await rawRequest(addressOf(gateway) + path)
    t.equal(res.status, 200, path)
    t.equal(res.body.length, Buffer.byteLength(large), `${path}: every byte`)
    t.ok(res.body.equals(Buffer.from(large)), `${path}: in order`)
  }
})

/** A body gzipped in two parts, with a flush between them: the first part decodes on its own. */
async function gzipInTwo (first: string, second: string): Promise<[Buffer, Buffer]> {
  const zip = createGzip()
  const out: Buffer[] = []
  zip.on('data', (chunk: Buffer) => out.push(chunk))
  zip.write(first)
  await new Promise<void>((resolve) => zip.flush(() => resolve()))
  const head = Buffer.concat(out.splice(0))
  zip.end(second)
  await once(zip, 'end')
  return [head, Buffer.concat(out)]
}

const SUCCESS_HEAD = '{"id":"chatcmpl-1","object":"chat.completion",'
const SUCCESS_REST = '"choices":[]}'

for (const framing of ['chunked', 'content-length', 'gzip with a content-length'] as const) {
  t.test(`a proxied JSON body (${framing}) that starts like a success flows on before the upstream has finished it`, async (t) => {
    const [head, rest] = framing === 'gzip with a content-length'
      ? await gzipInTwo(SUCCESS_HEAD, SUCCESS_REST)
      : [Buffer.from(SUCCESS_HEAD), Buffer.from(SUCCESS_REST)]
    const headers: Record<string, string> = { 'content-type': 'application/json' }
    if (framing !== 'chunked') headers['content-length'] = String(head.length + rest.length)
    if (framing.startsWith('gzip')) headers['content-encoding'] = 'gzip'
    let headSeen!: () => void
    const seen = new Promise<void>((resolve) => { headSeen = resolve })
    let endedBeforeHead = false
    const res = await new Promise<{ status: number, body: Buffer }>((resolve, reject) => {
      void (async () => {
        const upstream = await startUpstream(t, (_req, res) => {
          res.writeHead(200, headers)
          res.write(head)
          // The rest comes only once the client has the head, or after 3 s if it never gets it.
          const timer = setTimeout(() => { endedBeforeHead = true; res.end(rest) }, 3000)
          void seen.then(() => { clearTimeout(timer); res.end(rest) })
        })
        const gateway = await buildGateway(t, { plugin: { jsonPeekTimeoutMs: 60000 }, upstream: upstream.url, listen: true })
        http.get(addressOf(gateway) + '/v1/chat/completions', (response) => {
          const chunks: Buffer[] = []
          response.on('data', (chunk: Buffer) => { chunks.push(chunk); headSeen() })
          response.on('end', () => resolve({ status: response.statusCode as number, body: Buffer.concat(chunks) }))
        }).on('error', reject)
      })()
    })
    t.equal(res.status, 200)
    t.same(res.body, Buffer.concat([head, rest]), 'every byte, as the upstream sent it')
    t.notOk(endedBeforeHead, 'the head reached the client while the upstream was still sending')
  })
}

t.test('a proxied success JSON with a content-length that arrives whole is sent on as it came', async (t) => {
  const body = SUCCESS_HEAD + SUCCESS_REST
  const res = await through(t, json(200, body, { 'content-length': String(body.length) }))
  t.equal(res.status, 200)
  t.equal(res.body.toString(), body)
  t.equal(res.headers['content-length'], String(body.length))
})

t.test('a proxied JSON error of several KB that arrives in pieces is read whole and remapped', async (t) => {
  const body = JSON.stringify({ error: { message: 'Rate limit reached. ' + 'Please slow down. '.repeat(150), type: 'rate_limit_error', code: 429 } })
  const res = await through(t, (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' })
    let at = 0
    const next = (): void => {
      if (at >= body.length) { res.end(); return }
      res.write(body.slice(at, at += 600))
      setTimeout(next, 5)
    }
    next()
  }, { rewriteBody: false })
  t.equal(res.status, 429)
  t.equal(res.body.toString(), body)
})

t.test('a JSON error larger than maxBodyBytes is passed on unread, with every byte', async (t) => {
  const body = JSON.stringify({ error: { message: 'rate limit', code: 429, pad: 'x'.repeat(300) } })
  const known = await through(t, json(200, body, { 'content-length': String(body.length) }), { maxBodyBytes: 100 })
  t.equal(known.status, 200)
  t.equal(known.body.toString(), body)
  const chunked = await through(t, (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' })
    res.write(body.slice(0, 50))
    setTimeout(() => { res.write(body.slice(50, 150)); res.end(body.slice(150)) }, 5)
  }, { maxBodyBytes: 100 })
  t.equal(chunked.status, 200)
  t.equal(chunked.body.toString(), body)
})

t.test('gzip, deflate and br JSON errors: status mapped, compressed bytes sent as they came', async (t) => {
  const encoders: Record<string, (b: Buffer) => Buffer> = { gzip: gzipSync, deflate: deflateSync, br: brotliCompressSync }
  for (const [encoding, encode] of Object.entries(encoders)) {
    const compressed = encode(Buffer.from(NO_MODELS))
    const res = await through(t, json(200, compressed, { 'content-encoding': encoding }), {}, '/v1/chat/completions', { headers: { 'accept-encoding': 'gzip, deflate, br' } })
    t.equal(res.status, 404, encoding)
    t.equal(res.headers['content-encoding'], encoding)
    t.ok(res.body.equals(compressed), `${encoding}: the original bytes`)
  }
  const raw = deflateRawSync(Buffer.from(NO_MODELS))
  const rawRes = await through(t, json(200, raw, { 'content-encoding': 'deflate' }))
  t.equal(rawRes.status, 404, 'raw deflate under the name deflate')
})

t.test('a compressed error that is rewritten is sent decoded with a matching content-length', async (t) => {
  const res = await through(t, json(200, gzipSync(Buffer.from(NO_MODELS)), { 'content-encoding': 'gzip' }), { rewriteBody: true })
  t.equal(res.status, 404)
  t.equal(res.headers['content-encoding'], undefined)
  t.equal(res.headers['content-length'], String(res.body.length))
  t.same(JSON.parse(res.body.toString()), { error: { message: 'No models available for selected model', type: 'invalid_request_error', param: null, code: 'model_not_found' } })
})

t.test('a compressed success body and a corrupt one go out unchanged', async (t) => {
  const ok = gzipSync(Buffer.from('{"error":null,"id":"resp_1","object":"response"}'))
  const okRes = await through(t, json(200, ok, { 'content-encoding': 'gzip' }))
  t.equal(okRes.status, 200)
  t.ok(okRes.body.equals(ok))
  const corrupt = Buffer.from('not gzip at all {"error":"x"}')
  const badRes = await through(t, json(200, corrupt, { 'content-encoding': 'gzip' }))
  t.equal(badRes.status, 200)
  t.ok(badRes.body.equals(corrupt))
  const unknown = await through(t, json(200, NO_MODELS, { 'content-encoding': 'zstd' }))
  t.equal(unknown.status, 200, 'an encoding we cannot read is not read')
})

t.test('a zip bomb is not inflated past the bound', async (t) => {
  const bomb = gzipSync(Buffer.alloc(50 * 1024 * 1024, 0x20))
  const res = await through(t, json(200, bomb, { 'content-encoding': 'gzip' }))
  t.equal(res.status, 200)
  t.ok(res.body.equals(bomb))
})

t.test('SSE whose first event is an error answers as JSON with the mapped status', async (t) => {
  const res = await through(t, sse(['data: {"error":{"message":"Rate limit reached","type":"rate_limit_error","code":"rate_limit_exceeded"}}\n\n', 'data: [DONE]\n\n']))
  t.equal(res.status, 429)
  t.equal(res.headers['content-type'], 'application/json; charset=utf-8')
  t.equal(res.body.toString(), '{"error":{"message":"Rate limit reached","type":"rate_limit_error","code":"rate_limit_exceeded"}}')
  t.equal(res.headers['content-length'], String(res.body.length))
})

t.test('an error-first SSE stream is read away, not cut: the upstream connection serves the next requests', async (t) => {
  const ERROR_EVENT = 'data: {"error":{"message":"Rate limit reached","type":"rate_limit_error","code":"rate_limit_exceeded"}}\n\n'
  const upstream = await startUpstream(t, sse([ERROR_EVENT, 5, ': trailing comment\n\n', 'data: [DONE]\n\n']))
  let connections = 0
  upstream.server.on('connection', () => { connections++ })
  const gateway = await buildGateway(t, { upstream: upstream.url, listen: true })
  for (let i = 0; i < 5; i++) {
    const res = await rawRequest(addressOf(gateway) + '/v1/chat/completions')
    t.equal(res.status, 429)
    // The rest of the error stream is drained after the answer: let it finish before the next call.
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
  t.equal(connections, 1, 'one kept-alive upstream connection for five error-first streams')
})

t.test('an error-first SSE stream that goes on and on is cut once past the drain bound', async (t) => {
  const ERROR_EVENT = 'data: {"error":{"message":"Rate limit reached","type":"rate_limit_error"}}\n\n'
  let upstreamClosed!: (sent: number) => void
  const closed = new Promise<number>((resolve) => { upstreamClosed = resolve })
  const upstream = await startUpstream(t, (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream' })
    res.write(ERROR_EVENT)
    let sent = 0
    const filler = 'data: ' + 'x'.repeat(4090) + '\n\n'
    const timer = setInterval(() => { res.write(filler); sent += filler.length }, 1)
    res.on('close', () => { clearInterval(timer); upstreamClosed(sent) })
  })
  const gateway = await buildGateway(t, { upstream: upstream.url, listen: true })
  const res = await rawRequest(addressOf(gateway) + '/v1/chat/completions')
  t.equal(res.status, 429)
  const sent = await closed
  t.ok(sent < 1024 * 1024, `the upstream was let go after ${sent} more bytes`)
})

t.test('the sglang fixture: an in-band context-length error in a 200 stream becomes 400', async (t) => {
  const fixture = providerErrors.find((f) => f.sse !== undefined)
  t.ok(fixture)
  const res = await through(t, sse([fixture?.sse as string]))
  t.equal(res.status, 400)
  t.same(JSON.parse(res.body.toString()), fixture?.body)
})

t.test('SSE: comments and pings before the error are skipped; Anthropic event: error maps 529', async (t) => {
  const res = await through(t, sse([': OPENROUTER PROCESSING\n\n', 10, 'event: ping\ndata: {"type": "ping"}\n\n', 10,
    'event: error\ndata: {"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}\n\n']))
  t.equal(res.status, 529)
  t.same(JSON.parse(res.body.toString()), { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } })
})

t.test('SSE: an event: error with plain-text data still maps, and rewriteBody builds the OpenAI shape', async (t) => {
  const res = await through(t, sse(['event: error\ndata: upstream model not found\n\n']))
  t.equal(res.status, 404)
  t.same(JSON.parse(res.body.toString()), { error: { message: 'upstream model not found', type: 'invalid_request_error', param: null, code: 'model_not_found' } })
  const rewritten = await through(t, sse(['data: {"object":"error","message":"The model `x` does not exist.","type":"NotFoundError","code":404}\n\n']), { rewriteBody: true })
  t.equal(rewritten.status, 404)
  t.same(JSON.parse(rewritten.body.toString()), { error: { message: 'The model `x` does not exist.', type: 'not_found_error', param: null, code: '404' } })
})

t.test('SSE split at awkward places (CRLF across chunks) is still read', async (t) => {
  const res = await through(t, sse([': hi\r', 5, '\n\r\nda', 5, 'ta: {"error":"Rate limit', 5, ' exceeded"}\r', 5, '\n\r\n']))
  t.equal(res.status, 429)
})

t.test('SSE that starts with a byte order mark before `data:` is read from its first event: an error there maps', async (t) => {
  const res = await through(t, sse(['\ufeffdata: {"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}\n\n']))
  t.equal(res.status, 529)
  t.equal(res.headers['content-type'], 'application/json; charset=utf-8')
})

t.test('SSE whose first event has a character split across two chunks is decoded whole', async (t) => {
  const event = Buffer.from('data: {"error":{"message":"Modèle introuvable","code":404}}\n\n')
  const cut = event.indexOf(Buffer.from('è')) + 1 // inside the two bytes of è
  const res = await through(t, (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream' })
    res.write(event.subarray(0, cut))
    setTimeout(() => res.end(event.subarray(cut)), 20)
  }, { rewriteBody: false })
  t.equal(res.status, 404)
  t.equal(res.body.toString(), '{"error":{"message":"Modèle introuvable","code":404}}', 'the message intact, not two replacement characters')
})

t.test('SSE success streams pass through byte-identical, error fields later or not', async (t) => {
  for (const fixture of successBodies.filter((f) => f.sse !== undefined)) {
    const res = await through(t, sse([fixture.sse as string]))
    t.equal(res.status, 200, fixture.endpoint)
    t.equal(res.body.toString(), fixture.sse, fixture.endpoint)
  }
  const later = `data: ${CHUNK}\n\ndata: {"error":{"message":"Provider disconnected","code":"server_error"}}\n\n`
  const res = await through(t, sse([`data: ${CHUNK}\n\n`, 10, 'data: {"error":{"message":"Provider disconnected","code":"server_error"}}\n\n']))
  t.equal(res.status, 200, 'an error after the first data event cannot change the status')
  t.equal(res.body.toString(), later)
})

t.test('an error after the stream started is logged once as a warning', async (t) => {
  const { res, warnings } = await throughLogged(t, sse([`data: ${CHUNK}\n\n`, 5, 'event: error\ndata: {"error":"x"}\n\n', 5, 'event: error\ndata: {"error":"y"}\n\n']))
  t.equal(res.status, 200)
  t.equal(warnings(), 1)
})

t.test('a single error event after the first one, and after a pause, is seen by the watch', async (t) => {
  const { res, warnings } = await throughLogged(t, sse([`data: ${CHUNK}\n\n`, 10, 'data: {"error":{"message":"overloaded"}}\n\n', 5, 'data: [DONE]\n\n']))
  t.equal(res.status, 200)
  t.equal(res.body.toString(), `data: ${CHUNK}\n\ndata: {"error":{"message":"overloaded"}}\n\ndata: [DONE]\n\n`, 'every byte, in order')
  t.equal(warnings(), 1)
})

t.test('a slow first token is waited for within sse.peekTimeoutMs', async (t) => {
  const res = await through(t, sse([': keepalive\n\n', 150, 'data: {"error":{"message":"quota exceeded","code":429}}\n\n']), { sse: { peekTimeoutMs: 2000 } })
  t.equal(res.status, 429)
})

t.test('past sse.peekTimeoutMs the stream goes on as it is, with every byte', async (t) => {
  const res = await through(t, sse([': keepalive\n\n', 300, 'data: {"error":{"message":"quota exceeded","code":429}}\n\n']), { sse: { peekTimeoutMs: 50 } })
  t.equal(res.status, 200)
  t.equal(res.body.toString(), ': keepalive\n\ndata: {"error":{"message":"quota exceeded","code":429}}\n\n')
})

t.test('past sse.peekBytes the stream goes on as it is', async (t) => {
  const comments = ': ' + 'x'.repeat(200) + '\n\n'
  const res = await through(t, sse([comments, 5, comments, 5, 'data: {"error":"Rate limit exceeded"}\n\n']), { sse: { peekBytes: 100 } })
  t.equal(res.status, 200)
  t.equal(res.body.toString(), comments + comments + 'data: {"error":"Rate limit exceeded"}\n\n')
})

t.test('sse: false and inspectStreams: false leave streams alone', async (t) => {
  const events = sse(['data: {"error":"Rate limit exceeded"}\n\n'])
  t.equal((await through(t, events, { sse: false })).status, 200)
  t.equal((await through(t, events, { inspectStreams: false })).status, 200)
  t.equal((await through(t, json(200, NO_MODELS), { inspectStreams: false })).status, 200)
})

t.test('a gzip SSE stream with an error first is answered as decoded JSON', async (t) => {
  const body = gzipSync(Buffer.from(': hi\n\ndata: {"error":{"message":"Rate limit exceeded","code":429}}\n\n'))
  const res = await through(t, sse([body.subarray(0, 10) as unknown as string, 10, body.subarray(10) as unknown as string], { 'content-encoding': 'gzip' }))
  t.equal(res.status, 429)
  t.equal(res.headers['content-encoding'], undefined)
  t.same(JSON.parse(res.body.toString()), { error: { message: 'Rate limit exceeded', code: 429 } })
  const ok = gzipSync(Buffer.from(`data: ${CHUNK}\n\ndata: [DONE]\n\n`))
  const okRes = await through(t, sse([ok as unknown as string], { 'content-encoding': 'gzip' }))
  t.equal(okRes.status, 200)
  t.ok(okRes.body.equals(ok), 'a compressed success stream keeps its bytes')
})

t.test('SSE that claims gzip but is not, and a br SSE error, are handled', async (t) => {
  const corrupt = ': not gzip\n\ndata: {"error":"Rate limit exceeded"}\n\n'
  const bad = await through(t, sse([corrupt], { 'content-encoding': 'gzip' }))
  t.equal(bad.status, 200, 'undecodable: passed on')
  t.equal(bad.body.toString(), corrupt)
  const br = brotliCompressSync(Buffer.from('data: {"error":{"message":"Unauthorized"}}\n\n'))
  const brRes = await through(t, sse([br.subarray(0, 8) as unknown as string, 10, br.subarray(8) as unknown as string], { 'content-encoding': 'br' }))
  t.equal(brRes.status, 401)
})

t.test('NDJSON (Ollama\'s native stream): an error as the first line maps; success lines pass as they come', async (t) => {
  const ndjson = (lines: Array<string | number>): Handler => paced({ 'content-type': 'application/x-ndjson' }, lines)
  const error = await through(t, ndjson(['\n', 5, '{"error":"model \\"llama9\\" not found, try pulling it first"}\n']))
  t.equal(error.status, 404)
  t.equal(error.body.toString(), '{"error":"model \\"llama9\\" not found, try pulling it first"}')
  const lines = ['{"model":"llama3","message":{"content":"Hel"},"done":false}\n', '{"model":"llama3","message":{"content":"lo"},"done":true}\n']
  const ok = await through(t, ndjson([lines[0], 50, lines[1]]), { jsonPeekTimeoutMs: 10 })
  t.equal(ok.status, 200)
  t.equal(ok.body.toString(), lines.join(''), 'every line, and not held until the end: the peek timeout for whole JSON bodies does not apply')
  const last = await through(t, ndjson(['{"error":"Unauthorized"}']))
  t.equal(last.status, 401, 'a last line with no newline counts')
  const empty = await through(t, ndjson(['\n\n']))
  t.equal(empty.status, 200)
  const seq = await through(t, (_req, res) => { res.writeHead(200, { 'content-type': 'application/json-seq' }); res.end('\x1e{"error":"Rate limit exceeded"}\n') })
  t.equal(seq.status, 429, 'a JSON text sequence')
})

t.test('an SSE stream that ends with no data event passes through', async (t) => {
  const res = await through(t, sse([': just a comment\n\n']))
  t.equal(res.status, 200)
  t.equal(res.body.toString(), ': just a comment\n\n')
})

t.test('HEAD requests and error statuses are not read', async (t) => {
  const head = await through(t, json(200, NO_MODELS), {}, '/v1/chat/completions', { method: 'HEAD' })
  t.equal(head.status, 200)
  const upstream500 = await through(t, json(500, NO_MODELS))
  t.equal(upstream500.status, 500, 'an error status is kept by default')
  const corrected = await through(t, json(500, '{"error":{"message":"This model\'s maximum context length is 8192 tokens","type":"invalid_request_error"}}'), { correctErrorStatus: true })
  t.equal(corrected.status, 400, 'correctErrorStatus reads proxied error bodies too')
  const sseError = await through(t, (_req, res) => { res.writeHead(500, { 'content-type': 'text/event-stream' }); res.end('data: {"error":"Rate limit exceeded"}\n\n') }, { correctErrorStatus: true })
  t.equal(sseError.status, 500, 'an event stream with an error status is left alone')
})

t.test('204 and 304 from the upstream pass untouched', async (t) => {
  const noContent = await through(t, (_req, res) => { res.writeHead(204); res.end() })
  t.equal(noContent.status, 204)
  const notModified = await through(t, (_req, res) => { res.writeHead(304, { etag: '"x"' }); res.end() })
  t.equal(notModified.status, 304)
})

t.test('non-JSON stream bodies are not read', async (t) => {
  const res = await through(t, (_req, res) => { res.writeHead(200, { 'content-type': 'application/octet-stream' }); res.end(NO_MODELS) })
  t.equal(res.status, 200)
  t.equal(res.body.toString(), NO_MODELS)
})

t.test('an upstream that closes mid-peek is answered 502 by the error handler: nothing was sent yet', async (t) => {
  for (const contentType of ['text/event-stream', 'application/json']) {
    const res = await through(t, (_req, res) => {
      res.writeHead(200, { 'content-type': contentType })
      res.write(contentType === 'application/json' ? '{"error":{"message":"x",' : ': first\n\n')
      setTimeout(() => res.socket?.destroy(), 20)
    })
    t.equal(res.status, 502, contentType)
    t.equal(JSON.parse(res.body.toString()).error.code, 'upstream_unavailable')
    t.equal(res.headers['content-length'], String(res.body.length))
  }
})

t.test('a refused upstream connection through reply-from is a 502, not reply-from\'s 500', async (t) => {
  const upstream = await startUpstream(t, json(200, '{}'))
  const url = upstream.url
  await upstream.close()
  const gateway = await buildGateway(t, { upstream: url, listen: true })
  const res = await rawRequest(addressOf(gateway) + '/v1/chat/completions')
  t.equal(res.status, 502)
  t.equal(JSON.parse(res.body.toString()).error.code, 'upstream_unavailable')
})

t.test('an upstream that resets before sending a byte gives a 502 from the error handler', async (t) => {
  const res = await through(t, (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': '100' })
    res.flushHeaders()
    setTimeout(() => res.socket?.destroy(), 10)
  })
  t.equal(res.status, 502)
  t.equal(JSON.parse(res.body.toString()).error.type, 'bad_gateway_error')
})

t.test('a client that disconnects during the peek releases the upstream and the timer', async (t) => {
  let upstreamClosed!: () => void
  const closed = new Promise<void>((resolve) => { upstreamClosed = resolve })
  const upstream = await startUpstream(t, (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream' })
    res.write(': waiting\n\n')
    res.on('close', () => upstreamClosed())
  })
  const gateway = await buildGateway(t, { plugin: { sse: { peekTimeoutMs: 60000 } }, upstream: upstream.url, listen: true })
  // Ref'd timers only: the peek's 60 s deadline would be one more than before the request.
  const timersBefore = { Timeout: resourceCounts().Timeout ?? 0 }
  const req = http.get(addressOf(gateway) + '/v1/chat/completions')
  req.on('error', () => {})
  await new Promise((resolve) => setTimeout(resolve, 100))
  req.destroy()
  await closedWithin(closed, 2000)
  t.notOk('Timeout' in await leftOver(timersBefore, 1000), 'no peek timer left behind')
})

t.test('an error event that came in the same write as the first event is seen by the watch too', async (t) => {
  const { res, warnings } = await throughLogged(t, sse([`data: ${CHUNK}\n\ndata: {"error":{"message":"overloaded"}}\n\n`, 'data: [DONE]\n\n']))
  t.equal(res.status, 200)
  t.equal(warnings(), 1)
})

t.test('a client gone before the route sends its stream releases the stream at once, not at the peek deadline', async (t) => {
  let sourceClosed!: () => void
  const closed = new Promise<void>((resolve) => { sourceClosed = resolve })
  let requestArrived!: () => void
  const arrived = new Promise<void>((resolve) => { requestArrived = resolve })
  const app = await buildGateway(t, {
    plugin: { sse: { peekTimeoutMs: 60000 } },
    listen: true,
    setup: (app) => {
      app.get('/late', async (_request, reply) => {
        requestArrived()
        await new Promise((resolve) => setTimeout(resolve, 100))
        const source = new Readable({ read () {} })
        source.push(': waiting\n\n')
        source.on('close', () => sourceClosed())
        return reply.type('text/event-stream').send(source)
      })
    }
  })
  const req = http.get(addressOf(app) + '/late')
  req.on('error', () => {})
  await arrived
  req.destroy()
  await closedWithin(closed, 2000)
  t.pass('the stream was released within 2 s, long before the 60 s peek deadline')
})

t.test('a web ReadableStream payload is read like a Node stream', async (t) => {
  const app = await buildGateway(t)
  app.get('/web', async (_request, reply) => {
    reply.header('content-type', 'application/json')
    return reply.send(new Response(NO_MODELS).body)
  })
  app.get('/web-ok', async (_request, reply) => {
    reply.header('content-type', 'application/json')
    return reply.send(new Response('{"ok":true}').body)
  })
  app.get('/locked', async (_request, reply) => {
    const stream = new Response(NO_MODELS).body as ReadableStream
    stream.getReader() // locked: nobody can read it, and the plugin must not throw
    reply.header('content-type', 'application/json')
    return reply.send(stream)
  })
  const res = await app.inject('/web')
  t.equal(res.statusCode, 404)
  t.equal(res.body, NO_MODELS)
  t.equal((await app.inject('/web-ok')).body, '{"ok":true}')
  const locked = await app.inject('/locked')
  t.equal(locked.statusCode, 500, 'Fastify itself refuses a locked stream, and the error handler answers')
  t.equal(locked.json().error.type, 'server_error')
})

t.test('a user rule that throws on a stream body sends the stream as it came', async (t) => {
  const res = await through(t, sse(['data: {"error":"model x not found"}\n\n']), { rules: [{ when: () => { throw new Error('bug') }, status: 400 }] })
  t.equal(res.status, 200)
  t.equal(res.body.toString(), 'data: {"error":"model x not found"}\n\n')
})

t.test('Readable streams from route code are inspected too', async (t) => {
  const app = await buildGateway(t)
  app.get('/r', async (_request, reply) => {
    reply.header('content-type', 'text/event-stream')
    return reply.send(Readable.from(['data: {"error":{"message":"Unauthorized"}}\n\n']))
  })
  const res = await app.inject('/r')
  t.equal(res.statusCode, 401)
})

for (const order of ['plugin first', 'compress first'] as const) {
  t.test(`with @fastify/compress registered ${order === 'plugin first' ? 'after' : 'before'} the plugin, errors still map`, async (t) => {
    const app = Fastify()
    const big = JSON.stringify({ error: { message: 'Rate limit reached. ' + 'Please slow down. '.repeat(100), code: 'rate_limit_exceeded' } })
    if (order === 'compress first') await app.register(compress, { threshold: 0 })
    await app.register(plugin as any)
    if (order === 'plugin first') await app.register(compress, { threshold: 0 })
    app.get('/err', async (_request, reply) => reply.header('content-type', 'application/json').send(big))
    app.get('/ok', async (_request, reply) => reply.header('content-type', 'application/json').send(JSON.stringify({ id: 'x', object: 'list', data: 'y'.repeat(3000) })))
    await app.listen({ port: 0, host: '127.0.0.1' })
    t.teardown(() => app.close())
    const res = await rawRequest(addressOf(app) + '/err', { headers: { 'accept-encoding': 'gzip' } })
    t.equal(res.status, 429)
    t.equal(res.headers['content-encoding'], 'gzip')
    t.equal((await import('node:zlib')).gunzipSync(res.body).toString(), big)
    const ok = await rawRequest(addressOf(app) + '/ok', { headers: { 'accept-encoding': 'gzip' } })
    t.equal(ok.status, 200)
  })
}

t.test('the late-error watch runs only where a warning is read: not with logger: false or a level above warn', async (t) => {
  const { logsWarnings } = await import('../lib/fastify/stream-hook')
  const logOf = async (options: Record<string, unknown>): Promise<boolean> => {
    const app = Fastify(options)
    app.get('/', async (request) => String(logsWarnings(request.log)))
    const answer = (await app.inject('/')).body
    await app.close()
    return answer === 'true'
  }
  const sink = { write: () => {} }
  t.equal(await logOf({ logger: false }), false, "Fastify's null logger")
  t.equal(await logOf({ logger: { level: 'error', stream: sink } }), false, 'pino above warn')
  t.equal(await logOf({ logger: { level: 'warn', stream: sink } }), true, 'pino at warn')
  const own = { level: undefined, info () {}, error () {}, debug () {}, fatal () {}, trace () {}, warn () {}, child () { return own } }
  t.equal(await logOf({ loggerInstance: own }), true, 'a logger of its own, which says nothing of its level')
})

t.test('a buffered event stream or NDJSON body whose first record is an error gets its status, as a stream would', async (t) => {
  const app = Fastify()
  await app.register(plugin as any, {})
  const send = (type: string, body: string | Buffer, status = 200) => async (_request: unknown, reply: any) => reply.code(status).header('content-type', type).send(body)
  const error = 'data: {"error":{"message":"Rate limit reached for gpt-4o","type":"requests","code":"rate_limit_exceeded"}}\n\ndata: [DONE]\n\n'
  app.get('/sse', send('text/event-stream', error))
  app.get('/sse-buffer', send('text/event-stream; charset=utf-8', Buffer.from('\ufeff' + error)))
  app.get('/ndjson', send('application/x-ndjson', '{"error":"model \\"llama9\\" not found, try pulling it first"}\n{"done":true}\n'))
  app.get('/empty', async (_request: unknown, reply: any) => reply.header('content-type', 'text/event-stream').send())
  app.get('/success', send('text/event-stream', `data: ${CHUNK}\n\ndata: {"error":{"message":"late","code":500}}\n\n`))
  app.get('/none', send('text/event-stream', ': only a comment\n\n'))
  app.get('/created', send('text/event-stream', error, 201))
  app.get('/teapot', send('text/event-stream', error, 418))
  app.get('/plain', send('text/plain', error))
  t.teardown(() => app.close())
  for (const path of ['/sse', '/sse-buffer']) {
    const res = await app.inject(path)
    t.equal(res.statusCode, 429, path)
    t.equal(res.headers['content-type'], 'application/json; charset=utf-8', path)
    t.same(res.json(), { error: { message: 'Rate limit reached for gpt-4o', type: 'requests', code: 'rate_limit_exceeded' } }, `${path}: the event's data`)
  }
  t.equal((await app.inject('/ndjson')).statusCode, 404, 'NDJSON')
  t.equal((await app.inject('/created')).statusCode, 429, 'any 2xx')
  for (const path of ['/success', '/none', '/teapot', '/plain', '/empty']) {
    const res = await app.inject(path)
    t.equal(res.statusCode, path === '/teapot' ? 418 : 200, `${path}: status as it was`)
    t.equal(res.headers['content-type']?.toString().includes('json'), false, `${path}: body as it was`)
  }
})

t.test('a buffered event stream is not read when sse is false, when it is compressed, for HEAD, or past maxBodyBytes', async (t) => {
  const error = 'data: {"error":{"message":"quota","code":429}}\n\n'
  const build = async (options: Record<string, unknown>, headers: Record<string, string> = {}) => {
    const app = Fastify()
    await app.register(plugin as any, options)
    app.get('/x', async (_request, reply) => reply.headers({ 'content-type': 'text/event-stream', ...headers }).send(error))
    t.teardown(() => app.close())
    return app
  }
  t.equal((await (await build({ sse: false })).inject('/x')).statusCode, 200, 'sse: false')
  t.equal((await (await build({}, { 'content-encoding': 'br' })).inject('/x')).statusCode, 200, 'compressed')
  t.equal((await (await build({ maxBodyBytes: 10 })).inject('/x')).statusCode, 200, 'past maxBodyBytes')
  t.equal((await (await build({})).inject({ method: 'HEAD', url: '/x' })).statusCode, 200, 'HEAD')
  t.equal((await (await build({ reportOnly: true })).inject('/x')).statusCode, 200, 'report only')
  t.equal((await (await build({ rules: [{ name: 'throws', when: () => { throw new Error('boom') }, status: 400 }] })).inject('/x')).statusCode, 200, 'a rule that throws')
})
