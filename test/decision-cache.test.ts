import t from 'tap'
import Fastify from 'fastify'
import plugin = require('../lib/index')
import { ADMIT_EVERY, MAX_CACHED_BODY_CHARS, MAX_CACHED_DECISIONS, RESET_AFTER_MISSES, type DecisionCache } from '../lib/core/decision-cache'
import { buildTable } from '../lib/core/table'
import { providerErrors } from './helpers/fixtures'

// Repeated error bodies are classified a few times per table, then looked up. Counted through JSON.parse, which a
// classification starts with, on a real Fastify instance.

/** Offer a decision to the cache until it is kept (one miss in ADMIT_EVERY is); returns what it kept. */
function keep (cache: DecisionCache, key: string, decision: Parameters<DecisionCache['set']>[1]) {
  let kept = cache.set(key, decision)
  for (let i = 1; i < ADMIT_EVERY && cache.get(key) === undefined; i++) kept = cache.set(key, decision)
  return kept
}

const notFound = providerErrors.find((fixture) => fixture.provider === 'openai' && fixture.status === 404)
if (notFound === undefined) throw new Error('fixture missing')
const body = JSON.stringify(notFound.body)

async function countingParses<T> (run: () => Promise<T>): Promise<{ result: T, parses: number }> {
  const parse = JSON.parse
  let parses = 0
  JSON.parse = ((...args: Parameters<typeof JSON.parse>) => { parses++; return parse(...args) }) as typeof JSON.parse
  try {
    return { result: await run(), parses }
  } finally {
    JSON.parse = parse
  }
}

function gateway (options: Record<string, unknown> = {}, send: (n: number) => string | Buffer = () => body) {
  const app = Fastify()
  app.register(plugin as any, options)
  let n = 0
  app.get('/v1/models/x', (_request, reply) => { reply.type('application/json').send(send(n++)) })
  return app
}

t.test('the same error body, sent again, is judged the same and after a few sightings is no longer parsed', async (t) => {
  for (const kind of ['string', 'Buffer'] as const) {
    const app = gateway({}, () => (kind === 'string' ? body : Buffer.from(body)))
    t.teardown(() => app.close())
    const first = await countingParses(async () => {
      const statuses = []
      for (let i = 0; i < ADMIT_EVERY; i++) statuses.push((await app.inject('/v1/models/x')).statusCode)
      return statuses
    })
    t.same(first.result, Array(ADMIT_EVERY).fill(404), `${kind}: the first sightings are classified`)
    t.ok(first.parses >= ADMIT_EVERY, `${kind}: and parsed, each`)
    const again = await countingParses(async () => [await app.inject('/v1/models/x'), await app.inject('/v1/models/x')])
    t.same(again.result.map((res) => res.statusCode), [404, 404], `${kind}: repeats get the same status`)
    t.same(again.result.map((res) => res.body), [body, body], `${kind}: and the same bytes`)
    t.equal(again.parses, 0, `${kind}: and are not parsed`)
  }
})

t.test('bodies that never repeat are not all kept: one miss in ADMIT_EVERY is', async (t) => {
  const cache = buildTable({ rules: [{ name: 'own-table', code: 'own', status: 400 }] }).decisions
  if (cache === null) throw new Error('a table of data rules is cached')
  const keys = Array.from({ length: ADMIT_EVERY * 4 }, (_, n) => `{"error":{"message":"m-${n}"}}`)
  for (const key of keys) cache.set(key, null)
  t.equal(keys.filter((key) => cache.get(key) !== undefined).length, 4)
})

t.test('a table with a user rule that has a `when` is not cached: the function is asked every time', async (t) => {
  let asked = 0
  const rules = [{ name: 'acme.when', when: () => { asked++; return true }, status: 418 }]
  const app = gateway({ rules })
  t.teardown(() => app.close())
  for (let i = 0; i < 3; i++) t.equal((await app.inject('/v1/models/x')).statusCode, 418)
  t.equal(asked, 3)
  t.equal(buildTable({ rules: rules as any }).decisions, null)
})

t.test('a table with an extractor of the user\'s is not cached', async (t) => {
  const extractors = [{ name: 'acme', marks: ['acme'], extract: () => null }]
  t.equal(buildTable({ extractors }).decisions, null)
  t.not(buildTable({ rules: [{ name: 'data', code: 'x', status: 400 }] }).decisions, null, 'rules as data are cached')
})

t.test('bodies over the size bound are classified every time', async (t) => {
  const big = JSON.stringify({ error: { message: 'x'.repeat(MAX_CACHED_BODY_CHARS), type: 'invalid_request_error', code: 'model_not_found' } })
  const app = gateway({}, () => big)
  t.teardown(() => app.close())
  await app.inject('/v1/models/x')
  const again = await countingParses(() => app.inject('/v1/models/x'))
  t.equal(again.result.statusCode, 404)
  t.equal(again.parses, 1)
})

t.test('a full cache keeps what it has, and starts over RESET_AFTER_MISSES misses after it began', async (t) => {
  const distinct = (n: number) => JSON.stringify({ error: { message: `The model m-${n} does not exist`, type: 'invalid_request_error', code: 'model_not_found' } })
  const cache = buildTable().decisions
  if (cache === null) throw new Error('the default table is cached')
  const key = (value: string | Buffer) => {
    const kept = cache.keyOf(value)
    if (kept === null) throw new Error('too big to keep')
    return kept
  }
  keep(cache, key(distinct(0)), null)
  t.equal(cache.get(key(distinct(0))), null, 'a body that is not an error is kept as null')
  for (let n = 1; n < MAX_CACHED_DECISIONS; n++) keep(cache, key(distinct(n)), null)
  t.equal(cache.get(key(distinct(MAX_CACHED_DECISIONS - 1))), null, 'the last that fits is kept')
  keep(cache, key(distinct(MAX_CACHED_DECISIONS)), null)
  t.equal(cache.get(key(distinct(MAX_CACHED_DECISIONS))), undefined, 'full: a new body is not kept')
  t.equal(cache.get(key(distinct(0))), null, 'and the first is still there')
  t.equal(cache.get(key(Buffer.from(distinct(1)))), undefined, 'bytes and text are kept apart')
  t.equal(cache.keyOf('x'.repeat(MAX_CACHED_BODY_CHARS + 1)), null, 'a body over the bound has no key')
  for (let n = 0; n < RESET_AFTER_MISSES; n++) cache.set(key(`{"error":{"message":"new-${n}"}}`), null)
  t.equal(cache.get(key(distinct(0))), undefined, 'started over: the old entries are gone')
  const keptNew = Array.from({ length: RESET_AFTER_MISSES }, (_, n) => cache.get(key(`{"error":{"message":"new-${n}"}}`))).filter((kept) => kept === null)
  t.equal(keptNew.length, MAX_CACHED_DECISIONS, 'and it filled again with new bodies')
})

t.test('a cached decision is frozen: one request cannot change what the next one gets', async (t) => {
  const cache = buildTable().decisions
  if (cache === null) throw new Error('the default table is cached')
  const kept = keep(cache, '{"error":{"message":"m"}}', { status: 500, type: 'server_error', code: null, message: 'm', param: null, rule: 'fallback', shape: 'openai', retryable: null, retryAfterMs: null })
  t.ok(Object.isFrozen(kept))
})
