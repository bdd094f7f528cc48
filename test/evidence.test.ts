import t from 'tap'
import { classify } from '../lib/core/classify'
import { normaliseName, canonicalName, grpcName } from '../lib/core/names'

// Evidence, ranked: how specific a piece of evidence is decides, not a rule's place in a list.

t.test('specific wording beats a generic type', async (t) => {
  t.match(classify({ error: { message: 'The model `llama-9` does not exist', type: 'api_error' } }), { status: 404 }, 'api_error + model not found')
  t.match(classify({ error: { message: 'model "x" not found', type: 'invalid_request_error' } }), { status: 404 }, 'invalid_request_error + model not found')
  t.match(classify({ error: { message: 'Streaming is not supported for this model', type: 'api_error' } }), { status: 400 }, 'a feature not supported')
  t.match(classify({ error: { message: "'temperature' must be between 0 and 2", type: 'server_error' } }), { status: 400 }, 'a field must be')
  t.match(classify({ error: { message: 'The field messages is required', type: 'api_error' } }), { status: 400 }, 'a field is required')
  t.match(classify({ error: { message: 'Insufficient balance, please top up', type: 'invalid_request_error' } }), { status: 402 }, 'balance exhausted')
  t.match(classify({ error: { message: 'Request entity too large', type: 'invalid_request_error' } }), { status: 413 }, 'one request too large')
  t.match(classify({ error: 'Model bigscience/bloom is currently loading', estimated_time: 27.5 }), { status: 503 }, 'a model still loading')
})

t.test('a generic type does not overrule specific wording', async (t) => {
  t.match(classify({ error: { message: 'Rate limit reached for requests', type: 'server_error' } }), { status: 429 })
  t.match(classify({ error: { message: 'The engine is overloaded', type: 'api_error' } }), { status: 503 })
})

t.test('generic wording does not overrule a specific type', async (t) => {
  t.match(classify({ error: { message: "Invalid value for 'timeout': must be a number", type: 'invalid_request_error' } }), { status: 400 }, 'not a 504')
  t.match(classify({ type: 'error', error: { type: 'rate_limit_error', message: 'Request timed out waiting for capacity' } }), { status: 429 })
})

t.test('a weak status claim beside the error does not overrule a specific code; the error object\'s own claim does', async (t) => {
  t.match(classify({ status: 500, error: { code: 'model_not_found', message: 'x' } }), { status: 404, rule: 'openai.model-not-found' })
  t.match(classify({ error: { code: 503, message: 'The model `x` does not exist' } }), { status: 503, rule: 'status-hint' })
})

t.test('status claims are read under the usual keys, as numbers or numeric strings, nested or at the top', async (t) => {
  for (const key of ['status', 'code', 'statusCode', 'status_code', 'http_code', 'httpStatus', 'raw_status_code']) {
    t.match(classify({ error: { message: 'mystery', [key]: 418 } }), { status: 418 }, `error.${key}`)
    t.match(classify({ error: { message: 'mystery', [key]: '451' } }), { status: 451 }, `error.${key} as a string`)
  }
  t.match(classify({ statusCode: 401, message: 'Access denied due to invalid subscription key.' }), { status: 401 }, 'top-level statusCode beside a message')
  t.match(classify({ status: 404, title: 'Not Found', detail: "Function 'x' not found" }), { status: 404 }, 'problem details')
})

t.test('canonical status names decide in any spelling, and their standard descriptions too', async (t) => {
  t.match(classify({ error: { message: 'x', status: 'RESOURCE_EXHAUSTED' } }), { status: 429 })
  t.match(classify({ error: { message: 'x', code: 'permission-denied' } }), { status: 403 })
  t.match(classify({ error: { message: 'x', code: 'NotFound' } }), { status: 404 })
  t.match(classify({ error: { message: 'x', code: 'Some requested entity was not found' } }), { status: 404 })
  t.match(classify({ error: { message: 'x', code: 'The caller does not have permission to execute the specified operation' } }), { status: 403 })
  t.match(classify({ error: { code: 8, message: 'Quota exceeded', status: 'RESOURCE_EXHAUSTED' } }), { status: 429 })
  t.match(classify({ error: { code: 5, message: 'x', status: 'unknown-state' } }), { status: 404 }, 'gRPC 5 in Google\'s shape is NOT_FOUND')
  t.match(classify({ code: 5, message: 'scope is empty' }), { status: 400 }, 'elsewhere 5 is a provider\'s own number')
})

t.test('names are one spelling: NOT_FOUND, NotFound, NotFoundException, not-found and not_found', async (t) => {
  for (const name of ['NOT_FOUND', 'NotFound', 'NotFoundException', 'not-found', 'not_found', 'NotFoundError']) t.equal(normaliseName(name), 'not_found', name)
  t.equal(normaliseName('HTTPError'), 'http')
  t.equal(normaliseName('error'), 'error', 'a name that is only a suffix keeps it')
  t.equal(normaliseName('x'.repeat(201)), 'x'.repeat(201), 'long names are left as they are')
  t.equal(canonicalName('resource exhausted'), 'RESOURCE_EXHAUSTED')
  t.equal(canonicalName('x'.repeat(301)), undefined)
  t.equal(canonicalName('nothing canonical'), undefined)
  t.equal(grpcName(16), 'UNAUTHENTICATED')
  t.equal(grpcName(0), undefined, '0 is OK, never an error')
  t.equal(grpcName(17), undefined)
  t.equal(grpcName('5'), undefined)
})

t.test('a code or type that is an HTTP reason phrase names its status', async (t) => {
  t.match(classify({ error: { code: 'PRECONDITION_FAILED', message: 'Account suspended', type: 'error' } }), { status: 412, rule: 'reason-phrase' })
  t.match(classify({ error: { message: 'x', type: 'Conflict' } }), { status: 409 })
})

t.test('the fallback is a decision from weak evidence: client-mistake wording is a 400, the rest a 500', async (t) => {
  t.match(classify({ error: { message: 'Malformed tool call in message 3' } }), { status: 400, rule: 'client-wording' })
  t.match(classify({ error: { message: 'something broke' } }), { status: 500, rule: 'fallback' })
  t.match(classify({ message: 'The provided model identifier is invalid.' }), { status: 400 }, 'a bare message that says the client erred')
  t.equal(classify({ message: 'hello there' }), null, 'a bare message with nothing to go on stays as it is')
})

t.test("fallbackStatus: 'leave' reports nothing it cannot name, and still decides what it can", async (t) => {
  const leave = { fallbackStatus: 'leave' as const }
  t.equal(classify({ error: { message: 'something broke' } }, leave), null)
  t.match(classify({ error: { message: 'Rate limit reached' } }, leave), { status: 429 })
  t.match(classify({ error: { message: 'Malformed tool call' } }, leave), { status: 400 })
})

t.test('a tie between evidence of equal weight goes to the rule met first, and the margin says so', async (t) => {
  const { explain } = await import('../lib/core/classify')
  const explanation = explain({ message: 'Too many tokens, please wait before trying again.' })
  t.match(explanation.decision, { status: 429, rule: 'bedrock.throttling' })
  t.ok((explanation.margin ?? 0) > 0, 'the provider rule is weighed above the generic wording')
})

t.test('explain() records every kind of evidence: a user rule, the reason phrase, client wording', async (t) => {
  const { explain } = await import('../lib/core/classify')
  t.match(explain({ error: { message: 'x' } }, { rules: [{ name: 'mine', message: 'x', status: 418 }] }).evidence, [{ kind: 'user', name: 'mine', status: 418, weight: 100 }])
  t.match(explain({ error: { code: 'PRECONDITION_FAILED', message: 'x' } }).trail.find((step) => step.rule === 'reason-phrase'), { stage: 'status-hint', matched: true })
  const wording = explain({ error: { message: 'Malformed tool call' } })
  t.match(wording.evidence, [{ kind: 'wording', name: 'client-wording', status: 400, weight: 10 }])
  t.match(wording.trail[wording.trail.length - 1], { stage: 'wording', rule: 'client-wording', matched: true })
})

t.test('classifyEnvelope() takes the same options as classify(), and reads an envelope made by hand', async (t) => {
  const { classifyEnvelope } = await import('../lib/core/classify')
  const { classifyEnvelope: core, buildTable } = await import('../lib/core/decide')
  const envelope = { shape: 'openai' as const, message: 'mystery', type: undefined, code: undefined, param: null, statusName: undefined, hint: 429, hintFrom: undefined, hintStrong: false, weak: false }
  t.match(classifyEnvelope(envelope), { status: 429, rule: 'status-hint' })
  t.match(classifyEnvelope({ ...envelope, hint: undefined }, { fallbackStatus: 502 }), { status: 502 })
  const working = { trail: [], evidence: [] as any[], margin: null }
  core(envelope, buildTable([{ name: 'no-provider', message: 'mystery', status: 503 }]), working)
  t.match(working.evidence, [{ name: 'status-hint', reads: 'status', weight: 65 }, { name: 'no-provider', provider: null }], 'a rule without a provider, a claim without a path')
})

t.test('a hint matcher that names no canonical status matches no status name', async (t) => {
  const options = { defaultRules: false, rules: [{ name: 'odd', hint: 'SOMETHING_ELSE', status: 418 }] }
  t.equal(classify({ error: { message: 'x', status: 'RESOURCE_EXHAUSTED' } }, options)?.rule, 'fallback')
})

t.test('the name caches stay bounded and give the same answers after they are cleared', async (t) => {
  for (let i = 0; i < 2100; i++) {
    normaliseName(`HostileName${i}`)
    canonicalName(`hostile state ${i}`)
  }
  t.equal(normaliseName('NotFoundException'), 'not_found')
  t.equal(normaliseName('NotFoundException'), 'not_found', 'from the cache')
  t.equal(canonicalName('resource-exhausted'), 'RESOURCE_EXHAUSTED')
  t.equal(canonicalName('resource-exhausted'), 'RESOURCE_EXHAUSTED', 'from the cache')
  t.equal(canonicalName('no such state'), undefined)
  t.equal(canonicalName('no such state'), undefined, 'a miss is cached too')
})
