import t from 'tap'
import Fastify from 'fastify'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import plugin = require('../lib/index')
import { explain } from '../lib/core/classify'

// The accuracy of the default table on the real-payload corpus can only go up: the committed figures
// (test/corpus/score.json, written by `npm run corpus -- --write`) are a floor.
const { score, load } = require('../scripts/corpus.js')
const committed = JSON.parse(readFileSync(join(__dirname, 'corpus', 'score.json'), 'utf8'))

t.test('the corpus is real data with its sources: every entry names a provider, a public source and a status', async (t) => {
  const errors = load('errors')
  const successes = load('successes')
  t.ok(errors.length >= 250, `${errors.length} error bodies`)
  t.ok(new Set(errors.map((entry: { provider: string }) => entry.provider)).size >= 60, 'from at least 60 providers')
  t.ok(successes.length >= 80, `${successes.length} success bodies and streams`)
  for (const entry of errors) {
    t.match(entry, { provider: String, source: /^https?:\/\//, status: Number, note: String }, `${entry.file}#${entry.index}`)
    t.ok(entry.status >= 400 && entry.status <= 599, `${entry.file}#${entry.index} status ${entry.status}`)
  }
  for (const entry of successes) {
    t.match(entry, { provider: String, source: /^https?:\/\//, endpoint: String }, `${entry.file}#${entry.index}`)
    t.ok('body' in entry || typeof entry.sse === 'string' || typeof entry.ndjson === 'string', `${entry.file}#${entry.index} has a body or a stream`)
  }
})

t.test('the default table scores at least the committed figures, and changes no success', async (t) => {
  const result = await score({ Fastify, plugin, explain })
  t.equal(result.errors, committed.errors, 'the corpus the figures were measured on')
  t.ok(result.exact >= committed.exact, `exact status: ${result.exact} of ${result.errors} (committed ${committed.exact})`)
  t.ok(result.family >= committed.family, `status family: ${result.family} of ${result.errors} (committed ${committed.family})`)
  t.ok(result.exactRate >= 0.97, `exact rate ${(100 * result.exactRate).toFixed(1)} % >= 97 %`)
  t.ok(result.familyRate >= 0.99, `family rate ${(100 * result.familyRate).toFixed(1)} % >= 99 %`)
  t.same(result.successesChanged, [], 'every success body and stream keeps its status and bytes')
})
