import t from 'tap'
import fc from 'fast-check'
import { Readable } from 'node:stream'
import createError from 'http-errors'
import OpenAI from 'openai'
import { appWith, echoRoute } from './helpers/app'
import { addressOf, buildGateway, rawRequest } from './helpers/gateway'
import { startUpstream } from './helpers/upstream'
import { providerErrors, successBodies } from './helpers/fixtures'
import { MAX_REDACT_CHARS, redact } from '../lib/output/redact'
import { openaiErrorBody } from '../lib/output/body'

// No body the plugin builds carries a credential, a file path or a stack frame. Bodies it passes on are the
// upstream's bytes, untouched: that is the pass-through contract (SECURITY.md).

// Made-up credentials of each kind, in the forms providers issue them.
const KEYS = {
  openai: 'sk-proj-Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4zAb7cDe0f',
  openaiLegacy: 'sk-Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4zAb7cDe0fGh2i',
  anthropic: 'sk-ant-api03-Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4z_Ab7cDe0f-Gh2iJk5lMn8oPq1r',
  awsId: 'AKIAIOSFODNN7EXAMPLE',
  awsSession: 'ASIAY34FZKBOKMUTVV7A',
  google: 'AIzaSyDaGmWKa4JsXZ-HjGw7ISLn_3namBGewQe',
  groq: 'gsk_Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4zAb7cDe0fGh2iJk5lMn8oPq',
  huggingface: 'hf_Ab3dEfGhIjKlMnOpQrStUvWxYzAbCdEfGh',
  github: 'ghp_Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4zAb7c',
  jwt: 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c'
}

/** True when no part of `text` is one of the made-up secrets above, or the secret part of a bearer/field value. */
function leaksNothing (text: string): boolean {
  return Object.values(KEYS).every((key) => !text.includes(key.slice(4, 20)))
}

t.test('each kind of credential is masked, keeping what kind it was', async (t) => {
  const cases: Array<[string, string]> = [
    [`Incorrect API key provided: ${KEYS.openai}. You can find your API key at https://platform.openai.com/account/api-keys.`,
      'Incorrect API key provided: sk-***. You can find your API key at https://platform.openai.com/account/api-keys.'],
    [`key ${KEYS.openaiLegacy} revoked`, 'key sk-*** revoked'],
    [`invalid x-api-key: ${KEYS.anthropic}`, 'invalid x-api-key: ***'],
    [`anthropic key ${KEYS.anthropic} is disabled`, 'anthropic key sk-*** is disabled'],
    [`Authorization: Bearer ${KEYS.jwt}`, 'Authorization: Bearer ***'],
    ['authorization=Basic dXNlcjpwYXNzd29yZA==', 'authorization=Basic ***'],
    ['Bearer abcdefghijklmnopqrstuvwxyz0123 rejected', 'Bearer *** rejected'],
    [`token ${KEYS.jwt} expired`, 'token *** expired'],
    [`The security token included in the request is invalid: ${KEYS.awsId} / ${KEYS.awsSession}`,
      'The security token included in the request is invalid: AKIA*** / ASIA***'],
    ['aws_secret_access_key=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', 'aws_secret_access_key=***'],
    [`API key not valid: ${KEYS.google}. Please pass a valid API key.`, 'API key not valid: AIza***. Please pass a valid API key.'],
    [`GET https://generativelanguage.googleapis.com/v1/models?key=${KEYS.google}`, 'GET https://generativelanguage.googleapis.com/v1/models?key=AIza***'],
    [`${KEYS.groq} ${KEYS.huggingface} ${KEYS.github}`, 'gsk_*** hf_*** ghp_***'],
    ['{"api_key": "abc123def456", "password":"pw1234"}', '{"api_key": "***", "password":"***"}'],
    ['x-goog-api-key: abcd1234efgh', 'x-goog-api-key: ***'],
    ['connect to postgres://admin:hunter22@db.internal:5432/x failed', 'connect to postgres://***@db.internal:5432/x failed'],
    ['redis://:hunter22@cache:6379', 'redis://***@cache:6379']
  ]
  for (const [input, expected] of cases) t.equal(redact(input), expected, input.slice(0, 60))
})

t.test('file paths and stack frames are removed; the message before them stays', async (t) => {
  const cases: Array<[string, string]> = [
    ["ENOENT: no such file or directory, open '/srv/app/config/keys.json'", "ENOENT: no such file or directory, open '<path>'"],
    ["Cannot find module '/home/ci/app/node_modules/x/index.js'", "Cannot find module '<path>'"],
    ['failed reading C:\\Users\\bob\\app\\.env', 'failed reading <path>'],
    ['see file:///etc/litellm/config.yaml', 'see <path>'],
    ['Error: boom\n    at Object.<anonymous> (/home/u/app/server.js:10:5)\n    at Module._compile (node:internal/modules/cjs/loader:1256:14)\n    at new Promise (<anonymous>)\n    at /app/lib/x.js:3:9',
      'Error: boom'],
    ['Traceback (most recent call last):\n  File "/usr/lib/python3.11/site-packages/litellm/main.py", line 12, in completion\n    raise ValueError(x)\n  File "/usr/lib/python3.11/site-packages/litellm/router.py", line 7, in route\nValueError: bad',
      'ValueError: bad'],
    ['litellm.RateLimitError: quota exceeded\nstack trace: Traceback (most recent call last):\n  File "/app/litellm/main.py", line 3, in f\n    x()',
      'litellm.RateLimitError: quota exceeded\nstack trace:']
  ]
  for (const [input, expected] of cases) t.equal(redact(input), expected, input.slice(0, 60))
})

t.test('masked keys, ordinary messages and URL paths are left as they are', async (t) => {
  const unchanged = [
    'Incorrect API key provided: sk-VKMIs***************wjh3.',
    'Incorrect API key provided: sk-abc***.',
    'Authentication Error, Invalid proxy server token passed. Received API Key = sk-...m31Q, Key Hash (Token) =<hash>.',
    'x-api-key header is required',
    'invalid x-api-key',
    'Missing bearer token',
    'Invalid URL (GET /v1/nope)',
    'Invalid URL (POST /v1/chat/completions?stream=true)',
    'at least one message is required\n  at least one',
    'The model `gpt-4o` does not exist or you do not have access to it.',
    'Please pass one of `api_key`, `azure_ad_token`, or the `AZURE_OPENAI_API_KEY` environment variable.',
    'see https://docs.anthropic.com/en/api/errors and https://example.com/home/user',
    'task-abcdefghijklmnopqrstuvwxyz is queued',
    'Bearer authentication failed',
    'sk-***',
    'Bearer ***',
    'x-api-key: ***'
  ]
  for (const text of unchanged) t.equal(redact(text), text, text)
})

t.test('no provider fixture message is changed except by the stack traces it carries', async (t) => {
  const texts: string[] = []
  const walk = (value: unknown): void => {
    if (typeof value === 'string') texts.push(value)
    else if (typeof value === 'object' && value !== null) Object.values(value).forEach(walk)
  }
  providerErrors.forEach((fixture) => walk(fixture.body))
  successBodies.forEach((fixture) => walk(fixture.body))
  for (const text of texts) {
    if (text.includes('Traceback')) t.notMatch(redact(text), /Traceback/)
    else t.equal(redact(text), text)
  }
})

t.test('redact is idempotent, never throws, and no generated key survives it', async (t) => {
  const fragment = fc.oneof(
    fc.constantFrom(...Object.values(KEYS), 'sk-', 'Bearer ', 'api_key=', 'x-api-key: ', 'Authorization: Bearer ', '/home/', 'C:\\', '://',
      'u:p@', '\n    at ', ':1:2)', '\n  File "', '", line 1', 'Traceback (most recent call last):\n', '***', ' ', '\n', '(<anonymous>)'),
    fc.string({ maxLength: 12 })
  )
  const text = fc.array(fragment, { maxLength: 12 }).map((parts) => parts.join(''))
  await fc.assert(fc.property(text, (input) => {
    const once = redact(input)
    return redact(once) === once
  }), { numRuns: 2000 })
  // Keys between separators are always masked.
  const separated = fc.array(fc.tuple(fc.constantFrom(' ', '\n', ': ', '=', '"', '(', ', '), fc.constantFrom(...Object.values(KEYS))), { minLength: 1, maxLength: 5 })
    .map((pairs) => pairs.map(([sep, key]) => sep + key).join('') + ' end')
  await fc.assert(fc.property(separated, (input) => leaksNothing(redact(input))), { numRuns: 500 })
  t.pass('held for 2500 generated texts')
})

t.test('redact reads a bounded prefix in linear time, whatever the text', async (t) => {
  t.equal(redact('a'.repeat(MAX_REDACT_CHARS + 10)).length, MAX_REDACT_CHARS, 'longer text is cut')
  const hostile = ['sk-'.repeat(400000), '\n    at '.repeat(150000), ('Bearer' + ' '.repeat(8)).repeat(80000), '/home/'.repeat(200000),
    'api_key: bearer '.repeat(80000), 'ab://x:'.repeat(150000), '\n  File "a", line 1\n   '.repeat(50000), ':1:1'.repeat(250000)]
  for (const text of hostile) {
    const start = process.hrtime.bigint()
    redact(text)
    const ms = Number(process.hrtime.bigint() - start) / 1e6
    t.ok(ms < 500, `${JSON.stringify(text.slice(0, 12))}...: ${ms.toFixed(1)} ms`)
  }
})

t.test('openaiErrorBody masks every field it writes', async (t) => {
  const body = JSON.parse(openaiErrorBody({ message: `bad key ${KEYS.openai}`, type: `t ${KEYS.awsId}`, param: `p ${KEYS.google}`, code: `c ${KEYS.groq}` }))
  t.same(body, { error: { message: 'bad key sk-***', type: 't AKIA***', param: 'p AIza***', code: 'c gsk_***' } })
  t.same(JSON.parse(openaiErrorBody({ message: 'm', type: 't', param: null, code: null })), { error: { message: 'm', type: 't', param: null, code: null } })
})

// ---- through Fastify ----

t.test('a 500 thrown with expose: true shows its message, without the key, the path or the stack in it', async (t) => {
  const app = await appWith()
  t.teardown(() => app.close())
  app.get('/boom', async () => {
    const error = new Error(`upstream config /srv/gateway/config/providers.json has key ${KEYS.openai}\n    at load (/srv/gateway/lib/config.js:12:7)`)
    throw Object.assign(error, { expose: true })
  })
  const res = await app.inject('/boom')
  t.equal(res.statusCode, 500)
  const { message } = res.json().error
  t.equal(message, 'upstream config <path> has key sk-***')
  t.ok(leaksNothing(res.body))
  t.notMatch(res.body, /\/srv\/|\.js|\bat load\b/)
})

t.test('a 4xx message that quotes a bearer token or an AWS key is masked', async (t) => {
  const app = await appWith()
  t.teardown(() => app.close())
  app.get('/401', async () => { throw createError(401, `token Bearer ${KEYS.jwt} rejected for ${KEYS.awsId}`) })
  const res = await app.inject('/401')
  t.equal(res.statusCode, 401)
  t.equal(res.json().error.message, 'token Bearer *** rejected for AKIA***')
})

t.test("an upstream's 401 that quotes the key, thrown by the openai SDK, is answered 401 without the key", async (t) => {
  const upstream = await startUpstream(t, {
    status: 401,
    body: { error: { message: `Incorrect API key provided: ${KEYS.openai}. You can find your API key at https://platform.openai.com/account/api-keys.`, type: 'invalid_request_error', param: null, code: 'invalid_api_key' } }
  })
  const client = new OpenAI({ apiKey: KEYS.openai, baseURL: `${upstream.url}/v1`, maxRetries: 0 })
  const app = await appWith()
  t.teardown(() => app.close())
  app.post('/v1/chat/completions', async () => await client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] }))
  const res = await app.inject({ method: 'POST', url: '/v1/chat/completions', payload: {} })
  t.equal(res.statusCode, 401)
  t.same(res.json().error, {
    message: 'Incorrect API key provided: sk-***. You can find your API key at https://platform.openai.com/account/api-keys.',
    type: 'invalid_request_error',
    param: null,
    code: 'invalid_api_key'
  })
})

t.test('a URL holding a key is masked in the not-found answer, in both dialects', async (t) => {
  const app = await appWith()
  t.teardown(() => app.close())
  const openai = await app.inject(`/v1/nope?key=${KEYS.google}`)
  t.equal(openai.statusCode, 404)
  t.equal(openai.json().error.message, 'Invalid URL (GET /v1/nope?key=AIza***)')
  const anthropic = await app.inject(`/v1/messages/nope?api_key=${KEYS.anthropic}`)
  t.equal(anthropic.statusCode, 404)
  t.ok(leaksNothing(anthropic.body), anthropic.body)
})

const ENVELOPE_WITH_KEY = JSON.stringify({ error: { message: `Invalid API key: ${KEYS.openai} (loaded from /home/litellm/.env)`, type: 'auth_error', code: '401' } })

t.test('rewriteBody: an upstream 200 envelope that quotes a key leaves with its status and a masked message', async (t) => {
  const upstream = await startUpstream(t, (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' })
    res.end(ENVELOPE_WITH_KEY)
  })
  const gateway = await buildGateway(t, { plugin: { rewriteBody: true }, upstream: upstream.url, listen: true })
  const res = await rawRequest(addressOf(gateway) + '/v1/chat/completions')
  t.equal(res.status, 401)
  t.equal(JSON.parse(res.body.toString()).error.message, 'Invalid API key: sk-*** (loaded from <path>)')
  t.equal(res.headers['content-length'], String(res.body.length))
})

t.test('pass-through (the default): the upstream bytes go out unchanged, key and all: that is the contract', async (t) => {
  const app = await appWith()
  t.teardown(() => app.close())
  echoRoute(app, '/v1/chat/completions', ENVELOPE_WITH_KEY, { contentType: 'application/json' })
  const res = await app.inject('/v1/chat/completions')
  t.equal(res.statusCode, 401)
  t.equal(res.body, ENVELOPE_WITH_KEY, 'not redacted: only bodies the plugin builds are')
})

t.test('SSE error answers the plugin builds are masked; an event passed on as it came is not', async (t) => {
  const keyEvent = `data: {"error":{"message":"Rate limit for key ${KEYS.openai}","type":"requests","code":"rate_limit_exceeded"}}\n\n`
  const plainEvent = `event: error\ndata: upstream rejected Authorization: Bearer ${KEYS.jwt}\n\n`
  const sse = (body: string) => async (_request: unknown, reply: any) => reply.header('content-type', 'text/event-stream').send(Readable.from([Buffer.from(body)]))

  const rewrite = await appWith({ rewriteBody: true })
  t.teardown(() => rewrite.close())
  rewrite.get('/envelope', sse(keyEvent))
  const rewritten = await rewrite.inject('/envelope')
  t.equal(rewritten.statusCode, 429)
  t.equal(rewritten.json().error.message, 'Rate limit for key sk-***')

  const plain = await appWith()
  t.teardown(() => plain.close())
  plain.get('/plain', sse(plainEvent))
  plain.get('/envelope', sse(keyEvent))
  const built = await plain.inject('/plain')
  t.equal(built.statusCode, 500, 'an event: error with plain-text data: the plugin builds the body')
  t.equal(built.json().error.message, 'upstream rejected Authorization: Bearer ***')
  const passed = await plain.inject('/envelope')
  t.equal(passed.statusCode, 429)
  t.match(passed.body, KEYS.openai, "the event's own JSON is passed on as it came")
})
