import t from 'tap'
import { describeThrown, serverMessage } from '../lib/core/thrown'

// Pure unit tests for the shapes a real Fastify, http-errors or SDK cannot easily produce; the real
// producers are exercised end to end in error-handler.test.ts and sdk-errors.test.ts.

t.test('a thrown string is a 500 whose body does not repeat the string', async (t) => {
  t.same(describeThrown('database password is hunter2'), {
    status: 500,
    message: 'The server had an error while processing your request.',
    type: 'server_error',
    code: null,
    param: null,
    upstream: false,
    headers: null,
    envelope: null
  })
})

t.test('a thrown null is a 500', async (t) => {
  t.equal(describeThrown(null).status, 500)
})

t.test('an error without a prototype is answered, not crashed on', async (t) => {
  const bare = Object.assign(Object.create(null), { message: 'no prototype' })
  t.equal(describeThrown(bare).status, 500)
})

t.test('a plain error marked expose: true shows its message on a 500', async (t) => {
  const decision = describeThrown(Object.assign(new Error('The tokenizer is not configured for this model.'), { expose: true }))
  t.equal(decision.status, 500)
  t.equal(decision.message, 'The tokenizer is not configured for this model.')
})

t.test('a 4xx error without a message gets the reason phrase, not the 5xx wording', async (t) => {
  t.equal(describeThrown({ statusCode: 404, message: '' }).message, 'Not Found')
})

t.test('a 4xx status with no reason phrase gets a neutral message', async (t) => {
  t.equal(describeThrown({ statusCode: 499 }).message, 'The request could not be processed.')
})

t.test('a 5xx status without a message of its own gets the generic server message', async (t) => {
  const decision = describeThrown({ statusCode: 507, message: 'disk /var/lib/models is full' })
  t.equal(decision.status, 507)
  t.equal(decision.message, 'The server had an error while processing your request.')
  t.equal(decision.type, 'server_error')
})

t.test('serverMessage names 503 and falls back to the generic message', async (t) => {
  t.equal(serverMessage(503), 'The service is temporarily unavailable. Please retry.')
  t.equal(serverMessage(599), serverMessage(500))
})

t.test('a status given as `status` is used when `statusCode` is absent', async (t) => {
  t.equal(describeThrown({ status: 409, message: 'Run already active' }).status, 409)
})

t.test('a status outside 400-599 is not taken: the error is a 500', async (t) => {
  t.equal(describeThrown({ statusCode: 302, message: 'moved' }).status, 500)
})

t.test('an error code that names an Object.prototype member is not taken for a Fastify error', async (t) => {
  const decision = describeThrown({ code: 'constructor', message: 'x' })
  t.equal(decision.status, 500)
  t.equal(decision.code, null)
})

t.test("a Fastify FST_ error with a status of its own keeps the status but not Fastify's internal code", async (t) => {
  const decision = describeThrown({ statusCode: 400, code: 'FST_ERR_BAD_URL', message: "'/%zz' is not a valid url component" })
  t.equal(decision.status, 400)
  t.equal(decision.code, null)
  t.equal(decision.message, "'/%zz' is not a valid url component")
})

t.test('headers an http-style error asks for are handed to the handler', async (t) => {
  t.same(describeThrown({ statusCode: 429, message: 'slow down', headers: { 'retry-after': '2' } }).headers, { 'retry-after': '2' })
})

t.test('a validation error without ajv details is still a 400 naming no parameter', async (t) => {
  t.same(describeThrown({ validation: [] }), {
    status: 400,
    message: 'Invalid request.',
    type: 'invalid_request_error',
    code: 'invalid_value',
    param: null,
    upstream: false,
    headers: null,
    envelope: null
  })
})

t.test('a validation entry without params names the failing field from its path', async (t) => {
  const decision = describeThrown({ message: 'bad', validation: [{ keyword: 'custom', instancePath: '/tools/2/function/name' }] })
  t.equal(decision.param, 'tools[2].function.name')
  t.equal(decision.code, 'invalid_value')
})

t.test('an unknown property is named with its parent path', async (t) => {
  const decision = describeThrown({
    message: 'body/messages/0 must NOT have additional properties',
    validation: [{ keyword: 'additionalProperties', instancePath: '/messages/0', params: { additionalProperty: 'nmae' } }]
  })
  t.equal(decision.param, 'messages[0].nmae')
  t.equal(decision.code, 'unknown_parameter')
})

t.test('undici headers timeout anywhere in the cause chain is a 504', async (t) => {
  const socket = Object.assign(new Error('Headers Timeout Error'), { code: 'UND_ERR_HEADERS_TIMEOUT' })
  const decision = describeThrown(new TypeError('fetch failed', { cause: socket }))
  t.equal(decision.status, 504)
  t.equal(decision.code, 'upstream_timeout')
  t.equal(decision.upstream, true)
})

t.test('a cause chain that loops ends, and an unknown cause is a 500', async (t) => {
  const a: Record<string, unknown> = { message: 'a' }
  const b: Record<string, unknown> = { message: 'b', cause: a }
  a.cause = b
  t.equal(describeThrown(a).status, 500)
})

t.test('a connection code deeper than five causes is not looked for', async (t) => {
  let error: Record<string, unknown> = { code: 'ECONNREFUSED' }
  for (let i = 0; i < 5; i++) error = { message: `wrap ${i}`, cause: error }
  t.equal(describeThrown(error).status, 500)
})

t.test('an SDK-style error with a numeric upstream code sends the code as a string', async (t) => {
  const decision = describeThrown({ statusCode: 400, responseBody: '{"object":"error","message":"bad","type":"invalid_request_error","code":3051}' })
  t.equal(decision.code, '3051')
  t.equal(decision.message, 'bad')
})

t.test('an SDK-style error whose body is not JSON keeps its status and its own message', async (t) => {
  const decision = describeThrown({ statusCode: 404, message: 'Not Found', responseBody: '<html>404</html>' })
  t.same(decision, {
    status: 404,
    message: 'Not Found',
    type: 'not_found_error',
    code: null,
    param: null,
    upstream: true,
    headers: null,
    envelope: null
  })
})

t.test('an SDK-style error whose body is too large to parse keeps its status', async (t) => {
  const decision = describeThrown({ statusCode: 400, message: 'Bad Request', responseBody: '{"error":{"message":"' + 'x'.repeat(70000) + '"}}' })
  t.equal(decision.status, 400)
  t.equal(decision.message, 'Bad Request')
})

t.test('an upstream error body with an empty message gets the reason phrase', async (t) => {
  const decision = describeThrown({ statusCode: 403, responseBody: '{"error":{"message":"","type":"permission_error","code":"no_access"}}' })
  t.equal(decision.message, 'Forbidden')
  t.equal(decision.code, 'no_access')
})

t.test('an SDK error without a status or a known cause is a 502', async (t) => {
  // openai's APIUserAbortError: no status, no headers' values, no cause
  const decision = describeThrown({ message: 'Request was aborted.', status: undefined, headers: undefined, error: undefined })
  t.equal(decision.status, 502)
  t.equal(decision.upstream, true)
})

t.test('an AI SDK RetryError whose lastError is missing is a 500', async (t) => {
  t.equal(describeThrown({ name: 'AI_RetryError', message: 'Failed after 3 attempts', errors: [] }).status, 500)
})

t.test('reply-from\'s 503 and 504 around a connection failure keep their status and say what failed', async (t) => {
  const createError = (await import('@fastify/error')).default
  const GatewayTimeout = createError('FST_REPLY_FROM_GATEWAY_TIMEOUT', 'Gateway Timeout', 504)
  const Unavailable = createError('FST_REPLY_FROM_SERVICE_UNAVAILABLE', 'Service Unavailable', 503)
  const headersTimeout = Object.assign(new Error('Headers Timeout Error'), { code: 'UND_ERR_HEADERS_TIMEOUT' })
  const notFound = Object.assign(new Error('getaddrinfo ENOTFOUND upstream.invalid'), { code: 'ENOTFOUND' })
  t.match(describeThrown(new GatewayTimeout({ cause: headersTimeout })), { status: 504, code: 'upstream_timeout', upstream: true, message: 'The upstream service did not answer in time.' })
  t.match(describeThrown(new Unavailable({ cause: notFound })), { status: 503, code: 'upstream_unavailable', upstream: true })
  t.match(describeThrown(new Unavailable()), { status: 503, code: null, upstream: false }, 'without a connection failure it is an ordinary 503')
})
