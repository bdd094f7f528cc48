import t from 'tap'
import { buildTable, classify } from '../lib/core/table'

t.test('classify reads strings and Buffers as JSON and ignores what does not parse', async (t) => {
  const body = '{"error":{"message":"No models available","type":"invalid_request_error"}}'
  t.match(classify(body), { status: 404, rule: 'litellm.no-models-available' })
  t.match(classify(Buffer.from(body)), { status: 404 })
  t.equal(classify('{"error":'), null)
  t.equal(classify('not json'), null)
})

t.test('a decision carries the message, param, canonical type and code', async (t) => {
  t.same(classify({ error: { message: 'No models available', type: 'invalid_request_error', param: 'model' } }), {
    status: 404, type: 'invalid_request_error', code: 'model_not_found', message: 'No models available', param: 'model', rule: 'litellm.no-models-available', shape: 'openai', retryable: null, retryAfterMs: null
  })
  t.same(classify({ error: { message: 'boom' } }), {
    status: 500, type: 'server_error', code: null, message: 'boom', param: null, rule: 'fallback', shape: 'openai', retryable: null, retryAfterMs: null
  })
  t.equal(classify({ error: { message: 'x', code: 429 } })?.code, '429', 'numeric codes become strings')
})

t.test('the status the body claims beats the default rules', async (t) => {
  // Gemini sends a bad key as 400: the wording rule alone would say 401
  t.match(classify({ error: { code: 400, message: 'API key not valid. Please pass a valid API key.', status: 'INVALID_ARGUMENT' } }), { status: 400, rule: 'status-hint' })
  t.match(classify({ error: { message: 'API key not valid. Please pass a valid API key.' } }), { status: 401, rule: 'google.api-key-invalid' })
})

t.test('on a status hint, the type comes from a default rule that agrees with it', async (t) => {
  t.match(classify({ object: 'error', message: 'Rate limit exceeded', type: 'rate_limited', code: '1300', raw_status_code: 429 }), {
    status: 429, rule: 'status-hint', type: 'rate_limit_error'
  })
  t.match(classify({ error: { code: 429, message: 'nothing known' } }), { status: 429, type: 'rate_limit_error', rule: 'status-hint' })
  t.match(classify({ error: { code: 404, message: 'You exceeded your current quota' } }), { status: 404, type: 'not_found_error' },
    'a rule with another status does not name the type')
})

t.test('user rules come first, even before the status hint', async (t) => {
  const table = buildTable({ rules: [{ name: 'mine', code: 429, status: 503 }] })
  t.match(classify({ error: { code: 429, message: 'x' } }, table), { status: 503, rule: 'mine' })
})

t.test('every matcher of a rule must match', async (t) => {
  const table = buildTable({ rules: [{ name: 'both', type: 'tokens', message: 'requested', status: 413 }] })
  t.match(classify({ error: { type: 'tokens', message: 'Requested 9000 tokens' } }, table), { rule: 'both', status: 413 })
  t.match(classify({ error: { type: 'tokens', message: 'something else' } }, table), { rule: 'type.rate-limit' })
})

t.test('matchers: type exact or RegExp, code as string or number, message substring or RegExp, hint, when', async (t) => {
  const table = buildTable({
    defaults: false,
    rules: [
      { name: 'type-re', type: [/^quota_/], status: 402 },
      { name: 'code-num', code: [1300, 'x'], status: 429 },
      { name: 'msg-text', message: 'GPU ON FIRE', status: 503 },
      { name: 'hint-name', hint: ['RESOURCE_EXHAUSTED'], status: 429 },
      { name: 'hint-num', hint: 418, status: 400 },
      { name: 'when', when: (envelope) => envelope.param === 'seed', status: 422 }
    ]
  })
  t.match(classify({ error: { type: 'quota_exceeded', message: 'x' } }, table), { rule: 'type-re' })
  t.match(classify({ object: 'error', message: 'x', code: '1300' }, table), { rule: 'code-num' })
  t.match(classify({ error: 'the gpu on fire, sorry' }, table), { rule: 'msg-text' })
  t.match(classify({ error: { message: 'x', status: 'RESOURCE_EXHAUSTED' } }, table), { rule: 'hint-name' })
  t.match(classify({ error: { message: 'x', code: 418 } }, table), { rule: 'hint-num', status: 400 }, 'a user rule sees the hint the body claims')
  t.match(classify({ error: { message: 'x', param: 'seed' } }, table), { rule: 'when', status: 422 })
  t.match(classify({ error: { message: 'nothing' } }, table), { rule: 'fallback', status: 500 })
  t.equal(classify({ error: { message: 'x' } }, buildTable({ defaults: false, rules: [{ name: 'code', code: 'c', status: 400 }] }))?.rule, 'fallback',
    'a code matcher does not match an envelope without a code')
})

t.test('global RegExps match the same way on every call', async (t) => {
  const table = buildTable({ defaults: false, rules: [{ name: 'g', message: /overload/g, status: 503 }, { name: 'y', type: /t/y, status: 400 }] })
  for (let i = 0; i < 3; i++) {
    t.match(classify({ error: { message: 'overloaded' } }, table), { rule: 'g' }, `call ${i}`)
    t.match(classify({ error: { message: 'x', type: 't' } }, table), { rule: 'y' }, `call ${i}`)
  }
})

t.test('rules see only the first maxMessageChars of a message', async (t) => {
  const message = 'x'.repeat(2000) + ' rate limit'
  t.match(classify({ error: { message } }), { rule: 'fallback' })
  t.match(classify({ error: { message } }, buildTable({ maxMessageChars: 4096 })), { rule: 'any.rate-limit' })
  t.equal(classify({ error: { message } })?.message, message, 'the decision keeps the whole message')
})

t.test('a weak envelope (bare message) gets no fallback', async (t) => {
  t.equal(classify({ message: 'hello there' }), null)
  t.match(classify({ message: 'Input is too long for requested model.' }), { status: 400 })
})

t.test('the fallback status is configurable', async (t) => {
  t.match(classify({ error: 'mystery' }, buildTable({ fallbackStatus: 502 })), { status: 502, rule: 'fallback', type: 'bad_gateway_error' })
})

t.test('types for statuses outside the known list follow the status class', async (t) => {
  const table = buildTable({ defaults: false, rules: [{ name: 'a', message: 'a', status: 418 }, { name: 'b', message: 'b', status: 599 }] })
  t.equal(classify({ error: 'a' }, table)?.type, 'invalid_request_error')
  t.equal(classify({ error: 'b' }, table)?.type, 'server_error')
})

t.test('retryability comes from the deciding rule, also when it agrees with a status hint', async (t) => {
  t.match(classify({ error: { message: 'You exceeded your current quota', type: 'insufficient_quota', code: 'insufficient_quota' } }), { status: 429, retryable: false })
  t.match(classify({ error: { message: 'Budget has been exceeded!', type: 'budget_exceeded', code: '429' } }), { status: 429, rule: 'status-hint', retryable: false })
  t.match(classify({ error: { message: 'Rate limit reached', code: 'rate_limit_exceeded' } }), { status: 429, retryable: null })
  t.match(classify({ error: 'x' }, buildTable({ rules: [{ name: 'r', message: 'x', status: 503, retryable: true }] })), { retryable: true })
})

t.test('the wait a message states is read on 429/503/529 only', async (t) => {
  t.match(classify({ error: { message: 'Rate limit reached. Please try again in 20s.', code: 'rate_limit_exceeded' } }), { status: 429, retryAfterMs: 20000 })
  t.match(classify({ type: 'error', error: { type: 'overloaded_error', message: 'Overloaded, retry after 2 seconds' } }), { status: 529, retryAfterMs: 2000 })
  t.match(classify({ error: { message: 'Invalid model. Try again in 20s', code: 'model_not_found' } }), { status: 404, retryAfterMs: null })
})
