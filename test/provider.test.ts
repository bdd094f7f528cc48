import t from 'tap'
import Fastify from 'fastify'
import plugin = require('../lib/index')
import { classify, explain } from '../lib/core/classify'
import { defaultRules, packs, providers } from '../lib/packs'
import { appWith, echoRoute } from './helpers/app'

// Where providers disagree about the same words, the generic answer is the one most send; the `provider` option
// puts one provider's pack first.

// Zhipu answers an exhausted balance with 429, where most providers (and the generic pack) send 402.
const ZHIPU_BALANCE = '{"error":{"message":"Insufficient balance or no resource package. Please recharge.","type":"AI_APICallError"}}'
// Groq and OpenAI disagree on one request over the tokens-per-minute budget: Groq 413, OpenAI 429.
const TPM = '{"error":{"message":"Request too large for gpt-4o in organization org-x on tokens per min (TPM): Limit 30000, Requested 36575.","type":"tokens","code":"rate_limit_exceeded"}}'

t.test('the default table is generated from the packs: every rule once, each naming its pack\'s provider', async (t) => {
  t.equal(defaultRules.length, packs.reduce((n, pack) => n + pack.rules.length, 0))
  for (const pack of packs) for (const rule of pack.rules) t.equal(rule.provider, pack.provider, rule.name)
  t.equal(packs[packs.length - 1].provider, 'generic', 'the generic pack comes last')
  t.notOk(providers.includes('generic'), 'generic is no provider to choose')
  t.same((plugin as unknown as { providers: readonly string[] }).providers, providers, 'exported by the package')
})

t.test('without a provider the generic answer wins; with one, that provider\'s pack does', async (t) => {
  t.match(classify(TPM), { status: 413, rule: 'groq.request-too-large' })
  t.match(classify(TPM, { provider: 'openai' }), { status: 429, rule: 'openai.rate-limit' })
  t.match(classify(TPM, { provider: 'groq' }), { status: 413 })
  t.match(explain(TPM, { provider: 'openai' }).evidence[0], { name: 'openai.rate-limit', weight: 85, provider: 'openai' }, 'weighed up by 15')
})

t.test('provider as a plugin option, on a route, and as a function of the request', async (t) => {
  const app = Fastify()
  await app.register(plugin as any, {
    provider: (request: { headers: Record<string, unknown> }) => request.headers['x-upstream'] as string | undefined
  })
  app.get('/v1/chat', async (_request, reply) => reply.type('application/json').send(TPM))
  app.get('/openai', { config: { openaiErrors: { provider: 'openai' } } }, async (_request, reply) => reply.type('application/json').send(TPM))
  t.teardown(() => app.close())
  t.equal((await app.inject('/v1/chat')).statusCode, 413, 'no header: no provider')
  t.equal((await app.inject({ url: '/v1/chat', headers: { 'x-upstream': 'openai' } })).statusCode, 429)
  t.equal((await app.inject({ url: '/v1/chat', headers: { 'x-upstream': 'openai' } })).statusCode, 429, 'the provider\'s table, built once, again')
  t.equal((await app.inject({ url: '/v1/chat', headers: { 'x-upstream': 'nobody-we-know' } })).statusCode, 413, 'an unknown name: no provider')
  t.equal((await app.inject('/openai')).statusCode, 429, 'route config')
})

t.test('a provider function that throws is logged and no provider is assumed', async (t) => {
  const lines: Array<{ level: number, msg: string }> = []
  const app = Fastify({ logger: { level: 'error', stream: { write: (line: string) => { lines.push(JSON.parse(line)) } } } })
  await app.register(plugin as any, { provider: () => { throw new Error('no routing table') } })
  app.get('/x', async (_request, reply) => reply.type('application/json').send(ZHIPU_BALANCE))
  t.teardown(() => app.close())
  t.equal((await app.inject('/x')).statusCode, 429, 'zhipu\'s own wording rule still speaks')
  t.match(lines, [{ level: 50, msg: 'fastify-openai-errors: the provider function threw; no provider assumed' }])
})

t.test('user extractors read a body shape of their own, and the byte gate follows their marks', async (t) => {
  const extractors = [{
    name: 'acme',
    marks: ['acme_fault'],
    extract: (body: Record<string, unknown>) => {
      const fault = body.acme_fault as Record<string, unknown> | undefined
      return fault === undefined ? null : { message: String(fault.text), code: String(fault.id), status: fault.http as number }
    }
  }]
  t.match(classify({ acme_fault: { id: 'E42', text: 'quota gone', http: 429 } }, { extractors }), { status: 429, rule: 'status-hint', code: 'E42', shape: 'custom' })
  t.equal(classify({ acme_fault: { id: 'E42', text: 'x' } }), null, 'without the extractor, no envelope')
  const app = await appWith({ extractors })
  t.teardown(() => app.close())
  echoRoute(app, '/acme', '{"acme_fault":{"id":"E42","text":"The model `x` does not exist"}}', { contentType: 'application/json' })
  echoRoute(app, '/plain', '{"acme_ok":true}', { contentType: 'application/json' })
  t.equal((await app.inject('/acme')).statusCode, 404, 'gate passed, extractor read, rules decided')
  t.equal((await app.inject('/plain')).statusCode, 200)
})

t.test('what a user extractor returns is checked: no message, no envelope', async (t) => {
  const extractors = [{ name: 'broken', marks: ['weird'], extract: () => ({ text: 'no message field' }) as any }]
  t.equal(classify({ weird: 1 }, { extractors }), null)
  const named = [{ name: 'named', marks: ['weird'], extract: () => ({ message: 'x', statusName: 'resource-exhausted' }) }]
  t.match(classify({ weird: 1 }, { extractors: named }), { status: 429 })
})
