import t from 'tap'
import { Readable } from 'node:stream'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { appWith, echoRoute } from './helpers/app'
import { addressOf, buildGateway, rawRequest } from './helpers/gateway'
import { startUpstream } from './helpers/upstream'
import { classify } from '../lib/core/classify'
import { statusHint } from '../lib/core/extract'

// Inputs built to hurt: messages that make regexes backtrack, bodies on either side of every size bound,
// and "status" codes that are not statuses.

const MB = 1 << 20

/** A RegExp that records the length of every text it is tested on. */
function spyRegExp (source: RegExp, seen: number[]): RegExp {
  const spy = new RegExp(source.source, source.flags)
  spy.test = function (text: string): boolean {
    seen.push(text.length)
    return RegExp.prototype.test.call(this, text)
  }
  return spy
}

function elapsedMs (fn: () => void): number {
  const start = process.hrtime.bigint()
  fn()
  return Number(process.hrtime.bigint() - start) / 1e6
}

// Messages shaped after the default rules' patterns, each long enough to show a super-linear regex.
const hostileMessages: Record<string, string> = {
  'spaces': ' '.repeat(MB),
  '"model " repeated': 'model '.repeat(MB / 6),
  '"a" * 1 MB': 'a'.repeat(MB),
  'model, then 1 MB of spaces': 'model' + ' '.repeat(MB) + 'x',
  'deployment, then no end of line': 'deployment ' + 'x'.repeat(MB),
  '"rate" and separators': 'rate' + '-_ '.repeat(MB / 3),
  '"no " repeated': 'no '.repeat(MB / 3),
  '"invalid " repeated': 'invalid '.repeat(MB / 8),
  'try again in, repeated': 'try again in '.repeat(MB / 13),
  'newlines': '\n'.repeat(MB)
}

t.test('user message RegExps see only the first maxMessageChars characters of a 1 MB message', async (t) => {
  const seen: number[] = []
  const rule = { name: 'spy', message: spyRegExp(/never matches/, seen), status: 418 }
  const body = { error: { message: 'x'.repeat(MB) } }
  classify(body, { rules: [rule] })
  t.same(seen, [1024], 'the default bound: 1024 characters')
  seen.length = 0
  classify(body, { rules: [rule], maxMessageChars: 16 })
  t.same(seen, [16])

  // The same through the plugin, on a body the route sends.
  seen.length = 0
  const app = await appWith({ rules: [rule], maxMessageChars: 100, maxBodyBytes: 2 * MB })
  t.teardown(() => app.close())
  echoRoute(app, '/big', JSON.stringify(body), { contentType: 'application/json' })
  const res = await app.inject('/big')
  t.equal(res.statusCode, 500, 'no rule matched: the fallback')
  t.same(seen, [100])
})

t.test('the default rules stay fast on messages built to make regexes backtrack', async (t) => {
  for (const [name, message] of Object.entries(hostileMessages)) {
    const body = { error: { message } }
    const ms = elapsedMs(() => {
      for (let i = 0; i < 100; i++) classify(body)
    })
    // 100 runs over the 1024-character prefix: milliseconds. A generous bound that still catches a regression.
    t.ok(ms < 2000, `${name}: 100 classifications in ${ms.toFixed(1)} ms`)
  }
})

t.test('even without the bound, the default rules are linear: 1 MB messages seen whole', async (t) => {
  const options = { maxMessageChars: MB }
  for (const [name, message] of Object.entries(hostileMessages)) {
    const ms = elapsedMs(() => { classify({ error: { message } }, options) })
    t.ok(ms < 2000, `${name}: ${ms.toFixed(1)} ms over 1 MB`)
  }
})

t.test('a catastrophic user RegExp runs on the bounded prefix only', async (t) => {
  // /^(a+)+b/ backtracks exponentially on "aaa...a": 2^n steps for n characters. The prefix keeps n small;
  // nothing else can (see SECURITY.md): keep user RegExps free of nested quantifiers.
  const message = 'a'.repeat(100000)
  const options = { rules: [{ name: 'evil', message: /^(a+)+b/, status: 418 }], maxMessageChars: 18 }
  let decision: ReturnType<typeof classify> = null
  const ms = elapsedMs(() => { decision = classify({ error: { message } }, options) })
  t.equal(decision!.rule, 'fallback', 'no match on the prefix')
  t.ok(ms < 2000, `classified in ${ms.toFixed(1)} ms`)

  // /a*a*b/ costs n^3 steps on "aaa...a": about 0.4 s at the default 1024 characters, a few ms at 256. The
  // bound is what prices a super-linear RegExp; lower maxMessageChars if your rules need one.
  const cubic = { rules: [{ name: 'cubic', message: /a*a*b/, status: 418 }], maxMessageChars: 256 }
  const ms2 = elapsedMs(() => { classify({ error: { message } }, cubic) })
  t.ok(ms2 < 1000, `cubic RegExp on a 256-character prefix: ${ms2.toFixed(1)} ms`)
})

t.test('hostile messages through the plugin, at the default maxBodyBytes, answer quickly', async (t) => {
  const app = await appWith()
  t.teardown(() => app.close())
  // Each as long as fits under the default maxBodyBytes (64 KiB) once escaped as JSON.
  const bodies = Object.values(hostileMessages).map((message) => JSON.stringify({ error: { message: message.slice(0, 30000) } }))
  bodies.forEach((body, index) => echoRoute(app, `/h/${index}`, body, { contentType: 'application/json' }))
  const start = Date.now()
  for (let round = 0; round < 10; round++) {
    for (const [index, body] of bodies.entries()) {
      const res = await app.inject(`/h/${index}`)
      t.equal(res.body, body)
      if (res.statusCode < 400) t.fail(`a hostile error envelope left with ${res.statusCode}`)
    }
  }
  t.ok(Date.now() - start < 5000, `${bodies.length * 10} responses in ${Date.now() - start} ms`)
})

// ---- size bounds ----

const LIMIT = 1000

/** A "No models available" envelope (404) exactly `size` bytes long, ASCII only. */
function errorOfSize (size: number): string {
  const head = '{"error":{"message":"No models available","type":"invalid_request_error","pad":"'
  const tail = '"}}'
  return head + 'p'.repeat(size - head.length - tail.length) + tail
}

t.test('string and Buffer bodies at, just under and just over maxBodyBytes', async (t) => {
  const app = await appWith({ maxBodyBytes: LIMIT })
  t.teardown(() => app.close())
  for (const size of [LIMIT - 1, LIMIT, LIMIT + 1]) {
    const body = errorOfSize(size)
    t.equal(body.length, size)
    echoRoute(app, `/s/${size}`, body, { contentType: 'application/json' })
    echoRoute(app, `/b/${size}`, Buffer.from(body), { contentType: 'application/json' })
  }
  for (const size of [LIMIT - 1, LIMIT, LIMIT + 1]) {
    for (const kind of ['s', 'b']) {
      const res = await app.inject(`/${kind}/${size}`)
      t.equal(res.statusCode, size <= LIMIT ? 404 : 200, `${kind === 's' ? 'string' : 'Buffer'} of ${size} bytes`)
      t.equal(res.body, errorOfSize(size))
    }
  }
})

t.test('route streams at, just under and just over maxBodyBytes, with and without content-length', async (t) => {
  const app = await appWith({ maxBodyBytes: LIMIT })
  t.teardown(() => app.close())
  app.get('/stream/:size/:length', async (request, reply) => {
    const { size, length } = request.params as { size: string, length: string }
    const bytes = Buffer.from(errorOfSize(Number(size)))
    reply.header('content-type', 'application/json')
    if (length === 'cl') reply.header('content-length', bytes.length)
    // Chunks of 100 bytes: the bound is crossed mid-stream, not in one read.
    const chunks: Buffer[] = []
    for (let i = 0; i < bytes.length; i += 100) chunks.push(bytes.subarray(i, i + 100))
    return reply.send(Readable.from(chunks))
  })
  for (const length of ['cl', 'chunked']) {
    for (const size of [LIMIT - 1, LIMIT, LIMIT + 1]) {
      const res = await app.inject(`/stream/${size}/${length}`)
      t.equal(res.statusCode, size <= LIMIT ? 404 : 200, `${length} stream of ${size} bytes`)
      t.equal(res.body, errorOfSize(size), 'every byte, in order')
    }
  }
})

t.test('proxied bodies at, just under and just over maxBodyBytes, with and without content-length', async (t) => {
  const upstream = await startUpstream(t, (req: IncomingMessage, res: ServerResponse) => {
    const [, length, size] = (req.url as string).split('/')
    const body = errorOfSize(Number(size))
    if (length === 'cl') {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length })
      res.end(body)
      return
    }
    res.writeHead(200, { 'content-type': 'application/json' })
    let at = 0
    const next = (): void => {
      if (at >= body.length) { res.end(); return }
      res.write(body.slice(at, at + 300))
      at += 300
      setImmediate(next)
    }
    next()
  })
  const gateway = await buildGateway(t, { plugin: { maxBodyBytes: LIMIT }, upstream: upstream.url, listen: true })
  for (const length of ['cl', 'chunked']) {
    for (const size of [LIMIT - 1, LIMIT, LIMIT + 1]) {
      const res = await rawRequest(`${addressOf(gateway)}/${length}/${size}`)
      t.equal(res.status, size <= LIMIT ? 404 : 200, `${length} upstream body of ${size} bytes`)
      t.equal(res.body.toString(), errorOfSize(size))
    }
  }
})

t.test('sse.peekBytes: an error event that starts within the bound is answered; one past it streams on untouched', async (t) => {
  const PEEK = 1000
  const app = await appWith({ sse: { peekBytes: PEEK, peekTimeoutMs: 1000 } })
  t.teardown(() => app.close())
  const event = 'data: {"error":{"message":"Rate limit reached","type":"requests","code":"rate_limit_exceeded"}}\n\n'
  const padding = (size: number): string => ': ' + 'p'.repeat(size - 3) + '\n'
  app.get('/sse/:pad', async (request, reply) => {
    const pad = Number((request.params as { pad: string }).pad)
    reply.header('content-type', 'text/event-stream')
    // Two reads: the padding, then the event.
    return reply.send(Readable.from([Buffer.from(padding(pad)), Buffer.from(event)]))
  })
  for (const pad of [PEEK - 1, PEEK, PEEK + 1]) {
    const res = await app.inject(`/sse/${pad}`)
    if (pad <= PEEK) {
      t.equal(res.statusCode, 429, `error after ${pad} bytes of padding is answered`)
      t.equal(res.headers['content-type'], 'application/json; charset=utf-8')
    } else {
      t.equal(res.statusCode, 200, `error after ${pad} bytes of padding: past the bound, sent on`)
      t.equal(res.body, padding(pad) + event, 'every byte')
    }
  }
})

// ---- codes that are not statuses ----

const notStatuses: unknown[] = ['1300', 999, -1, '429abc', 429.5, 200, '200', '4290', ' 429', '429 ', 1e3, '0x1AD', '４２９', 600, 399, '', null, true]

t.test('statusHint takes none of the codes that are not HTTP error statuses', async (t) => {
  for (const code of notStatuses) t.equal(statusHint(code), undefined, JSON.stringify(code))
  t.equal(statusHint(4.29e2), 429, '4.29e2 is the number 429')
})

t.test('upstream codes that are not statuses are never sent as one: the status comes from the table', async (t) => {
  const app = await appWith()
  t.teardown(() => app.close())
  const rewrite = await appWith({ rewriteBody: true })
  t.teardown(() => rewrite.close())
  const shapes = (code: unknown): unknown[] => [
    { error: { message: 'something odd happened', code } },
    { object: 'error', message: 'something odd happened', type: 'odd', code, raw_status_code: code },
    { error: 'something odd happened', statusCode: code, status: code, code },
    { error: { message: 'something odd happened', code, status: code, statusCode: code } }
  ]
  let route = 0
  const routes: Array<{ url: string, body: string }> = []
  for (const code of notStatuses) {
    for (const body of shapes(code)) {
      const url = `/c/${route++}`
      routes.push({ url, body: JSON.stringify(body) })
      echoRoute(app, url, JSON.stringify(body), { contentType: 'application/json' })
      echoRoute(rewrite, url, JSON.stringify(body), { contentType: 'application/json' })
    }
  }
  for (const { url, body } of routes) {
    const res = await app.inject(url)
    t.equal(res.statusCode, 500, `${body}: the fallback, not the code`)
    t.equal(res.body, body)
    const rewritten = await rewrite.inject(url)
    t.equal(rewritten.statusCode, 500)
    t.equal(rewritten.headers['content-length'], String(Buffer.byteLength(rewritten.body)))
    t.equal(typeof rewritten.json().error.type, 'string')
  }
})

t.test("Mistral's code 1300 is not a status; its type and raw_status_code are", async (t) => {
  t.equal(classify({ object: 'error', message: 'Requests rate limit exceeded', type: 'rate_limited', param: null, code: '1300' })?.status, 429)
  t.equal(classify({ object: 'error', message: 'x', type: 'odd', param: null, code: '1300', raw_status_code: 429 })?.status, 429)
})

t.test('a thrown error whose status is not an HTTP status is answered 500', async (t) => {
  const app = await appWith()
  t.teardown(() => app.close())
  app.get('/throw/:index', async (request) => {
    const code = notStatuses[Number((request.params as { index: string }).index)]
    throw Object.assign(new Error('odd'), { statusCode: code, status: code })
  })
  for (const [index, code] of notStatuses.entries()) {
    const res = await app.inject(`/throw/${index}`)
    t.equal(res.statusCode, 500, `statusCode ${JSON.stringify(code)}`)
    t.equal(res.json().error.type, 'server_error')
  }
})
