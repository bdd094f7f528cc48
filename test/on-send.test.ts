import t from 'tap'
import { appWith, echoRoute } from './helpers/app'
import { providerErrors, realStatus, successBodies } from './helpers/fixtures'

t.test('the bug report: a 200 "No models available" leaves with 404 and its body byte for byte', async (t) => {
  const app = await appWith()
  const body = '{"error":{"message":"No models available for selected model_name=totally-nonexistent-model-xyz","type":"invalid_request_error"}}'
  echoRoute(app, '/v1/chat/completions', body, { contentType: 'application/json' })
  const res = await app.inject('/v1/chat/completions')
  t.equal(res.statusCode, 404)
  t.equal(res.body, body)
  t.equal(res.headers['content-length'], String(Buffer.byteLength(body)))
})

t.test('every provider fixture sent with 200 leaves with its real status and unchanged bytes', async (t) => {
  const app = await appWith()
  providerErrors.forEach((fixture, index) => {
    echoRoute(app, `/f/${index}`, JSON.stringify(fixture.body), { contentType: 'application/json' })
    echoRoute(app, `/b/${index}`, Buffer.from(JSON.stringify(fixture.body)), { contentType: 'application/json' })
  })
  for (const [index, fixture] of providerErrors.entries()) {
    for (const kind of ['f', 'b']) {
      const res = await app.inject(`/${kind}/${index}`)
      t.equal(res.statusCode, realStatus(fixture), `${kind === 'f' ? 'string' : 'Buffer'} ${fixture.provider}: ${fixture.source}`)
      t.equal(res.body, JSON.stringify(fixture.body))
    }
  }
})

t.test('success fixtures leave with 200 and their bytes untouched', async (t) => {
  const app = await appWith()
  const bodies = successBodies.map((fixture) => fixture.body !== undefined ? JSON.stringify(fixture.body, null, 2) : fixture.sse as string)
  bodies.forEach((body, index) => {
    echoRoute(app, `/s/${index}`, body, { contentType: successBodies[index].body !== undefined ? 'application/json' : 'text/event-stream' })
  })
  for (const [index, body] of bodies.entries()) {
    const res = await app.inject(`/s/${index}`)
    t.equal(res.statusCode, 200, successBodies[index].endpoint)
    t.equal(res.body, body)
  }
})

t.test('an object payload is serialised by Fastify before onSend and still remapped', async (t) => {
  const app = await appWith()
  app.get('/obj', async () => ({ error: 'model "llama2" not found, try pulling it first' }))
  const res = await app.inject('/obj')
  t.equal(res.statusCode, 404)
  t.same(res.json(), { error: 'model "llama2" not found, try pulling it first' })
})

t.test('rewriteBody sends the canonical OpenAI shape with a correct content-length', async (t) => {
  const app = await appWith({ rewriteBody: true })
  echoRoute(app, '/gemini', JSON.stringify({ error: { code: 429, message: 'Resource has been exhausted', status: 'RESOURCE_EXHAUSTED' } }), { contentType: 'application/json' })
  const res = await app.inject('/gemini')
  t.equal(res.statusCode, 429)
  t.same(res.json(), { error: { message: 'Resource has been exhausted', type: 'rate_limit_error', param: null, code: '429' } })
  t.equal(res.headers['content-type'], 'application/json; charset=utf-8')
  t.equal(res.headers['content-length'], String(Buffer.byteLength(res.body)))
})

t.test('a stale content-length from an upstream is corrected when the body is rewritten', async (t) => {
  const app = await appWith({ rewriteBody: true })
  app.get('/stale', async (_request, reply) => {
    reply.header('content-length', '17').header('content-type', 'application/json')
    return reply.send('{"error":"model x not found"}'.padEnd(17))
  })
  const res = await app.inject('/stale')
  t.equal(res.statusCode, 404)
  t.equal(res.headers['content-length'], String(Buffer.byteLength(res.body)))
  t.equal(res.json().error.code, 'model_not_found')
})

t.test('non-JSON content types are never inspected', async (t) => {
  const app = await appWith()
  const body = '{"error":{"message":"rate limit","code":429}}'
  echoRoute(app, '/html', body, { contentType: 'text/html' })
  echoRoute(app, '/sse', body, { contentType: 'text/event-stream' })
  echoRoute(app, '/plain', body, { contentType: 'text/plain; charset=utf-8' })
  echoRoute(app, '/problem', body, { contentType: 'application/problem+json' })
  echoRoute(app, '/ndjson', body + '\n', { contentType: 'application/x-ndjson' })
  for (const url of ['/html', '/sse', '/plain']) t.equal((await app.inject(url)).statusCode, 200, url)
  t.equal((await app.inject('/problem')).statusCode, 429, '+json is JSON')
  t.equal((await app.inject('/ndjson')).statusCode, 429, 'a one-line ndjson error (Ollama stream) is JSON')
})

t.test('bodies over maxBodyBytes are never parsed and keep their status', async (t) => {
  const app = await appWith({ maxBodyBytes: 64 })
  const small = '{"error":{"message":"rate limit","code":429}}'
  const big = JSON.stringify({ error: { message: 'rate limit', code: 429, pad: 'x'.repeat(64) } })
  echoRoute(app, '/small', small, { contentType: 'application/json' })
  echoRoute(app, '/big', big, { contentType: 'application/json' })
  echoRoute(app, '/bigbuf', Buffer.from(big), { contentType: 'application/json' })
  t.equal((await app.inject('/small')).statusCode, 429)
  t.equal((await app.inject('/big')).statusCode, 200)
  t.equal((await app.inject('/bigbuf')).statusCode, 200)
})

t.test('bodies that cannot be errors skip the parse: not an object, or no "error" key', async (t) => {
  const app = await appWith()
  for (const [url, body] of [['/a', '"error"'], ['/b', '  [1,2,3]'], ['/c', '{"message":{"role":"assistant","content":"an error occurred"}}'], ['/d', '{"ok":true,"note":"error"}']]) {
    echoRoute(app, url, body, { contentType: 'application/json' })
    echoRoute(app, url + 'buf', Buffer.from(body), { contentType: 'application/json' })
  }
  for (const url of ['/a', '/b', '/c', '/d', '/abuf', '/bbuf', '/cbuf', '/dbuf']) {
    t.equal((await app.inject(url)).statusCode, 200, url)
  }
})

t.test('a bare message body is remapped only when a rule knows its wording', async (t) => {
  const app = await appWith()
  echoRoute(app, '/bedrock', ' \n{"message":"The model returned the following errors: Input is too long for requested model."}', { contentType: 'application/json' })
  echoRoute(app, '/bedrockbuf', Buffer.from('{ "Message" : "Too many requests, please wait before trying again."}'), { contentType: 'application/json' })
  echoRoute(app, '/hello', '{"message":"hello world"}', { contentType: 'application/json' })
  echoRoute(app, '/aws', '{"__type":"ThrottlingException","message":"Too many requests, please wait before trying again."}', { contentType: 'application/json' })
  t.equal((await app.inject('/bedrock')).statusCode, 400)
  t.equal((await app.inject('/bedrockbuf')).statusCode, 429)
  t.equal((await app.inject('/hello')).statusCode, 200)
  t.equal((await app.inject('/aws')).statusCode, 429, 'AWS puts __type first')
})

t.test('invalid JSON that mentions "error" goes out unchanged', async (t) => {
  const app = await appWith()
  echoRoute(app, '/broken', '{"error": "unterminated', { contentType: 'application/json' })
  const res = await app.inject('/broken')
  t.equal(res.statusCode, 200)
  t.equal(res.body, '{"error": "unterminated')
})

t.test('error statuses are left alone unless correctErrorStatus is on', async (t) => {
  const body = JSON.stringify({ error: { message: "This model's maximum context length is 4097 tokens.", type: 'invalid_request_error', code: 'context_length_exceeded' } })
  const plain = await appWith()
  echoRoute(plain, '/ctx', body, { status: 500, contentType: 'application/json' })
  t.equal((await plain.inject('/ctx')).statusCode, 500)

  const correcting = await appWith({ correctErrorStatus: true })
  echoRoute(correcting, '/ctx', body, { status: 500, contentType: 'application/json' })
  echoRoute(correcting, '/unknown', '{"error":"something odd"}', { status: 502, contentType: 'application/json' })
  echoRoute(correcting, '/same', '{"error":{"message":"x","code":"404"}}', { status: 404, contentType: 'application/json' })
  echoRoute(correcting, '/redirect', '{"error":"Unauthorized"}', { status: 302, contentType: 'application/json' })
  t.equal((await correcting.inject('/ctx')).statusCode, 400, 'a 500 for a context-length error becomes 400')
  t.equal((await correcting.inject('/unknown')).statusCode, 502, 'the fallback never overrides an error status')
  t.equal((await correcting.inject('/same')).statusCode, 404)
  t.equal((await correcting.inject('/redirect')).statusCode, 302, '3xx is never touched')
})

t.test('1xx-free statuses: 204 and other 2xx bodies are inspected only when they can be errors', async (t) => {
  const app = await appWith()
  echoRoute(app, '/created', '{"error":"Model is overloaded","error_type":"overloaded"}', { status: 201, contentType: 'application/json' })
  echoRoute(app, '/nocontent', undefined, { status: 204 })
  t.equal((await app.inject('/created')).statusCode, 429)
  t.equal((await app.inject('/nocontent')).statusCode, 204)
})

t.test('a JSON stream payload from route code is read and remapped like a string', async (t) => {
  const { Readable } = await import('node:stream')
  const app = await appWith()
  app.get('/stream', async (_request, reply) => {
    reply.header('content-type', 'application/json')
    return reply.send(Readable.from([Buffer.from('{"error":"model x not found"}')]))
  })
  const res = await app.inject('/stream')
  t.equal(res.statusCode, 404)
  t.equal(res.body, '{"error":"model x not found"}')
})

t.test('a user rule that throws leaves the response as it came', async (t) => {
  const app = await appWith({ rules: [{ name: 'bad', when: () => { throw new Error('rule bug') }, status: 400 }] })
  echoRoute(app, '/x', '{"error":"model x not found"}', { contentType: 'application/json' })
  const res = await app.inject('/x')
  t.equal(res.statusCode, 200)
  t.equal(res.body, '{"error":"model x not found"}')
})

t.test('over a real socket, the remapped status reaches an HTTP client', async (t) => {
  const app = await appWith()
  echoRoute(app, '/v1/chat/completions', '{"error":{"message":"No models available","type":"invalid_request_error"}}', { contentType: 'application/json' })
  const address = await app.listen({ port: 0, host: '127.0.0.1' })
  t.teardown(() => app.close())
  const res = await fetch(`${address}/v1/chat/completions`)
  t.equal(res.status, 404)
  t.same(await res.json(), { error: { message: 'No models available', type: 'invalid_request_error' } })
})
