import t from 'tap'
import http, { type IncomingMessage, type ServerResponse } from 'node:http'
import { Readable } from 'node:stream'
import type { FastifyInstance } from 'fastify'
import { addressOf, buildGateway, captureLog, rawRequest, type LogLine } from './helpers/gateway'
import { startUpstream, type Teardown as Tap, type Upstream } from './helpers/upstream'
import { closedWithin, collector, leftOver, steady } from './helpers/resources'

// What goes wrong around the plugin: upstreams that reset or stall, clients that leave, rules that throw, and
// many requests in a row. The server stays up, every response goes out, nothing is left open.

const NO_MODELS = '{"error":{"message":"No models available","type":"invalid_request_error"}}'
const COMPLETION = '{"id":"c1","object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant","content":"hi"}}]}'
const CHUNK = 'data: {"id":"c1","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":"hi"}}]}\n\n'
const SSE_ERROR = 'data: {"error":{"message":"Rate limit reached","type":"requests","code":"rate_limit_exceeded"}}\n\n'

/** A reply-from gateway with the plugin, listening, logging at info level to `logs`. */
async function gatewayTo (t: Tap, upstream: Upstream, options: Record<string, unknown> = {}, setup?: (app: FastifyInstance) => void): Promise<{ url: string, logs: LogLine[] }> {
  const { logger, lines: logs } = captureLog('info')
  const app = await buildGateway(t, { plugin: options, server: { logger }, upstream: upstream.url, setup, listen: true })
  return { url: addressOf(app), logs }
}

const errorsLogged = (logs: LogLine[]): LogLine[] => logs.filter((line) => line.level >= 50)

/** An upstream response that writes `head`, then runs `after` on the socket. */
function writeThen (contentType: string, head: string, after: (res: ServerResponse) => void, delay = 20): (req: IncomingMessage, res: ServerResponse) => void {
  return (_req, res) => {
    res.writeHead(200, { 'content-type': contentType })
    res.write(head)
    setTimeout(() => after(res), delay)
  }
}

/** A request that resolves when the response ends, fails, or (with `abortAfterBytes`) after that many bytes, destroying it. */
async function request (url: string, abortAfterBytes?: number): Promise<{ status: number, body: Buffer, outcome: 'end' | 'aborted' | 'error', headersAfterMs: number }> {
  const started = Date.now()
  return await new Promise((resolve) => {
    const req = http.request(url, { agent: false }, (res) => {
      const headersAfterMs = Date.now() - started
      const chunks: Buffer[] = []
      const done = (outcome: 'end' | 'aborted' | 'error'): void => resolve({ status: res.statusCode as number, body: Buffer.concat(chunks), outcome, headersAfterMs })
      res.on('data', (chunk: Buffer) => {
        chunks.push(chunk)
        if (abortAfterBytes !== undefined && Buffer.concat(chunks).length >= abortAfterBytes) {
          req.destroy()
          done('aborted')
        }
      })
      res.on('end', () => done('end'))
      res.on('error', () => done('error'))
    })
    req.on('error', () => resolve({ status: 0, body: Buffer.alloc(0), outcome: 'error', headersAfterMs: Date.now() - started }))
    req.end()
  })
}

/** Resolves once `closed` does, or rejects after `ms`. */

// ---- upstreams that reset ----

t.test('an upstream that resets mid-body (JSON) is answered 502 by the error handler when the body could be an error, and the gateway stays up', async (t) => {
  const upstream = await startUpstream(t, (req, res) => {
    if (req.url === '/ok') return res.writeHead(200, { 'content-type': 'application/json' }).end(COMPLETION)
    writeThen('application/json', '{"error":{"message":"Rate limit', () => res.socket?.destroy())(req, res)
  })
  const { url, logs } = await gatewayTo(t, upstream)
  const res = await rawRequest(url + '/reset')
  t.equal(res.status, 502)
  t.equal(JSON.parse(res.body.toString()).error.type, 'bad_gateway_error')
  t.ok(errorsLogged(logs).length >= 1, 'the upstream failure is logged')
  const next = await rawRequest(url + '/ok')
  t.equal(next.status, 200)
  t.equal(next.body.toString(), COMPLETION)
})

t.test('a success body (first key "id") that resets mid-body went out as it came, cut short as without the plugin', async (t) => {
  const upstream = await startUpstream(t, (req, res) => {
    if (req.url === '/ok') return res.writeHead(200, { 'content-type': 'application/json' }).end(COMPLETION)
    writeThen('application/json', COMPLETION.slice(0, 40), () => res.socket?.destroy())(req, res)
  })
  const { url } = await gatewayTo(t, upstream)
  const res = await request(url + '/reset')
  t.equal(res.status, 200)
  t.not(res.outcome, 'end')
  t.equal(res.body.toString(), COMPLETION.slice(0, 40))
  t.equal((await rawRequest(url + '/ok')).status, 200)
})

t.test('an upstream that resets after maxBodyBytes aborts the response already under way, and the gateway stays up', async (t) => {
  const upstream = await startUpstream(t, (req, res) => {
    if (req.url === '/ok') return res.writeHead(200, { 'content-type': 'application/json' }).end(COMPLETION)
    writeThen('application/json', '{"id":"x","data":"' + 'x'.repeat(500), () => res.socket?.destroy())(req, res)
  })
  const { url } = await gatewayTo(t, upstream, { maxBodyBytes: 100 })
  const res = await request(url + '/reset')
  t.equal(res.status, 200, 'the status went out before the reset')
  t.not(res.outcome, 'end', 'the client sees the response cut short, not a complete body')
  t.ok(res.body.toString().startsWith('{"id":"x","data":"xxx'), 'with the bytes that came before the reset')
  t.equal((await rawRequest(url + '/ok')).status, 200)
})

t.test('an event stream that resets before its first data event is answered 502', async (t) => {
  const upstream = await startUpstream(t, writeThen('text/event-stream', ': ping\n\n', (res) => res.socket?.destroy()))
  const { url } = await gatewayTo(t, upstream)
  const res = await request(url + '/v1/chat/completions')
  t.equal(res.status, 502)
  t.equal(res.outcome, 'end')
})

t.test('an event stream that resets after its first data event ends the stream under way with its status', async (t) => {
  const upstream = await startUpstream(t, (req, res) => {
    if (req.url === '/ok') return res.writeHead(200, { 'content-type': 'application/json' }).end(COMPLETION)
    writeThen('text/event-stream', CHUNK, (res) => res.socket?.destroy())(req, res)
  })
  const { url } = await gatewayTo(t, upstream)
  const res = await request(url + '/v1/chat/completions')
  t.equal(res.status, 200)
  t.equal(res.body.toString(), CHUNK, 'the first event reached the client')
  t.not(res.outcome, 'end', 'then the stream was cut, as the upstream cut it')
  t.equal((await rawRequest(url + '/ok')).status, 200)
})

// ---- clients that leave ----

for (const kind of ['json', 'sse'] as const) {
  t.test(`a client that leaves while the plugin buffers a ${kind} body releases the upstream`, async (t) => {
    let closed: () => void = () => {}
    const upstreamClosed = new Promise<void>((resolve) => { closed = resolve })
    let reached: () => void = () => {}
    const upstreamReached = new Promise<void>((resolve) => { reached = resolve })
    const upstream = await startUpstream(t, (_req, res) => {
      res.writeHead(200, { 'content-type': kind === 'json' ? 'application/json' : 'text/event-stream' })
      res.write(kind === 'json' ? '{"id":"x",' : ': ping\n\n') // then nothing: the plugin keeps waiting
      res.on('close', closed)
      reached()
    })
    const { url } = await gatewayTo(t, upstream, { jsonPeekTimeoutMs: 60000, sse: { peekTimeoutMs: 60000 } })
    const req = http.request(url + '/v1/chat/completions', { agent: false })
    req.on('error', () => {})
    req.end()
    await upstreamReached
    await new Promise((resolve) => setTimeout(resolve, 50))
    req.destroy()
    await closedWithin(upstreamClosed, 2000)
    t.pass('the upstream response was closed after the client left')
  })
}

// ---- upstreams that stall ----

t.test('an upstream that stalls forever: past the peek timeouts the status and the bytes so far go out', async (t) => {
  // Bytes at once, or only after the peek gave up (Node sends no head before the first byte of a body).
  const cases = [
    { path: '/json-now', type: 'application/json', head: '{"id":"x","choices":[', after: 0 },
    { path: '/json-late', type: 'application/json', head: '{"id":"x","choices":[', after: 300 },
    { path: '/sse-now', type: 'text/event-stream', head: ': ping\n\n', after: 0 },
    { path: '/sse-late', type: 'text/event-stream', head: CHUNK, after: 300 }
  ]
  const upstream = await startUpstream(t, (req, res) => {
    const found = cases.find((c) => c.path === req.url) as typeof cases[number]
    res.writeHead(200, { 'content-type': found.type })
    res.flushHeaders()
    setTimeout(() => res.write(found.head), found.after) // and then nothing, ever
  })
  const { url } = await gatewayTo(t, upstream, { jsonPeekTimeoutMs: 50, sse: { peekTimeoutMs: 50 } })
  for (const c of cases) {
    const res = await headThenLeave(url + c.path, Buffer.byteLength(c.head))
    t.equal(res.status, 200, `${c.path}: the status went out`)
    t.equal(res.body.toString(), c.head, `${c.path}: with the bytes the upstream sent`)
    t.ok(res.ms < 2000, `${c.path}: after ${res.ms} ms`)
  }
})

/** The status and the first `bytes` bytes of a response that never ends; then the client leaves. */
async function headThenLeave (url: string, bytes: number): Promise<{ status: number, body: Buffer, ms: number }> {
  const started = Date.now()
  return await new Promise((resolve, reject) => {
    const req = http.request(url, { agent: false }, (res) => {
      const chunks: Buffer[] = []
      const leave = (): void => {
        req.destroy()
        resolve({ status: res.statusCode as number, body: Buffer.concat(chunks), ms: Date.now() - started })
      }
      res.on('data', (chunk: Buffer) => {
        chunks.push(chunk)
        if (Buffer.concat(chunks).length >= bytes) leave()
      })
    })
    req.on('error', reject)
    req.end()
  })
}

// ---- rules that throw ----

function throwingRules (): Array<Record<string, unknown>> {
  const broken = /x/
  broken.test = () => { throw new Error('message matcher bug') }
  return [
    { name: 'throws-in-when', when: () => { throw new Error('when bug') }, status: 418 },
    { name: 'throws-in-regexp', message: broken, status: 418 }
  ]
}

t.test('a user rule or when predicate that throws: every kind of response still goes out as it came, and it is logged', async (t) => {
  for (const rule of throwingRules()) {
    const upstream = await startUpstream(t, (req, res) => {
      if (req.url === '/sse') return res.writeHead(200, { 'content-type': 'text/event-stream' }).end(SSE_ERROR)
      res.writeHead(200, { 'content-type': 'application/json' }).end(NO_MODELS)
    })
    const { url, logs } = await gatewayTo(t, upstream, { rules: [rule] }, (app) => {
      app.get('/string', async (_request, reply) => reply.header('content-type', 'application/json').send(NO_MODELS))
      app.get('/route-stream', async (_request, reply) => reply.header('content-type', 'application/json').send(Readable.from([Buffer.from(NO_MODELS)])))
    })
    for (const path of ['/string', '/route-stream', '/json', '/sse']) {
      logs.length = 0
      const res = await rawRequest(url + path)
      const expected = path === '/sse' ? SSE_ERROR : NO_MODELS
      t.equal(res.status, 200, `${rule.name as string} ${path}: the status as it came`)
      t.equal(res.body.toString(), expected, `${rule.name as string} ${path}: the bytes as they came`)
      t.ok(errorsLogged(logs).some((line) => /a rule threw/.test(line.msg) && /bug/.test(line.err?.message ?? '')), `${rule.name as string} ${path}: logged at error level with the rule's error`)
    }
  }
})

t.test("a user rule that throws while the error handler answers an upstream's error: its status, no internal message", async (t) => {
  for (const rule of throwingRules()) {
    const { logger, lines: logs } = captureLog('info')
    const app = await buildGateway(t, { plugin: { rules: [rule] }, server: { logger } })
    // What the openai SDK throws for an upstream 429: status, headers and the body's error.
    app.get('/sdk', async () => {
      throw Object.assign(new Error('429 Rate limit reached'), { status: 429, headers: {}, error: { message: 'Rate limit reached', type: 'requests' } })
    })
    const res = await app.inject('/sdk')
    t.equal(res.statusCode, 429, `${rule.name as string}: the upstream's status`)
    t.same(res.json().error.message, 'Rate limit reached')
    t.notMatch(res.body, /bug/, "the rule's error stays in the log")
    t.ok(errorsLogged(logs).some((line) => /a rule threw/.test(line.msg)), 'and is logged')
  }
})

// ---- many requests ----

// A gc() without --expose-gc: the flag can be turned on at run time for functions created afterwards.
t.test('many mixed requests: every status as expected, the server stays up, handles and heap return to baseline', async (t) => {
  const gc = collector()
  const baseline = await steady()
  const upstream = await startUpstream(t, (req, res) => {
    switch (req.url) {
      case '/ok': return res.writeHead(200, { 'content-type': 'application/json' }).end(COMPLETION)
      case '/error': return res.writeHead(200, { 'content-type': 'application/json' }).end(NO_MODELS)
      case '/anthropic': return res.writeHead(200, { 'content-type': 'application/json' }).end('{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}')
      case '/sse-ok':
        res.writeHead(200, { 'content-type': 'text/event-stream' })
        res.write(': ping\n\n')
        setImmediate(() => { res.write(CHUNK); res.end('data: [DONE]\n\n') })
        return
      case '/sse-error': return res.writeHead(200, { 'content-type': 'text/event-stream' }).end(': ping\n\n' + SSE_ERROR)
      case '/sse-long': {
        res.writeHead(200, { 'content-type': 'text/event-stream' })
        let sent = 0
        const timer = setInterval(() => {
          res.write(CHUNK)
          if (++sent === 200) { clearInterval(timer); res.end() }
        }, 5)
        res.on('close', () => clearInterval(timer))
        return
      }
      default: // '/reset'
        res.writeHead(200, { 'content-type': 'application/json' })
        res.write('{"error":')
        setImmediate(() => res.socket?.destroy())
    }
  })
  const { logger, lines: logs } = captureLog('warn')
  const app = await buildGateway(t, { server: { logger }, upstream: upstream.url, listen: true })
  const url = addressOf(app)

  const kinds: Array<{ path: string, expect: number | 'aborted', abortAfter?: number }> = [
    { path: '/ok', expect: 200 },
    { path: '/error', expect: 404 },
    { path: '/anthropic', expect: 529 },
    { path: '/sse-ok', expect: 200 },
    { path: '/sse-error', expect: 429 },
    { path: '/sse-long', expect: 'aborted', abortAfter: CHUNK.length },
    { path: '/reset', expect: 502 }
  ]
  const mismatches: string[] = []
  async function round (count: number): Promise<void> {
    let next = 0
    const worker = async (): Promise<void> => {
      while (next < count) {
        const kind = kinds[next++ % kinds.length]
        const res = await request(url + kind.path, kind.abortAfter)
        const got = res.outcome === 'aborted' ? 'aborted' : res.status
        if (got !== kind.expect) mismatches.push(`${kind.path}: ${String(got)}`)
      }
    }
    await Promise.all(Array.from({ length: 16 }, worker))
  }

  await round(210) // warm up: code paths compiled, pools filled
  gc()
  const heapBefore = process.memoryUsage().heapUsed
  await round(1050)
  t.same(mismatches, [], 'every request answered with the status its kind expects')
  t.equal((await rawRequest(url + '/ok')).status, 200, 'the server is still up')

  gc()
  const growth = (process.memoryUsage().heapUsed - heapBefore) / (1 << 20)
  t.ok(growth < 8, `heap after 1050 requests: ${growth.toFixed(2)} MiB more than after the warm-up (bound 8 MiB)`)
  // The one error expected is the reset upstream, which Fastify's error handler logs (the plugin then answers 502).
  t.equal(logs.filter((line) => line.level >= 50 && line.req?.url !== '/reset').length, 0, 'no unexpected error logged')

  await app.close()
  await upstream.close()
  t.same(await leftOver(baseline, 3000), {}, 'no handle, socket or timer is left beyond those open before the servers started')
})
