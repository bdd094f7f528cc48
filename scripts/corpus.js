'use strict'

// npm run corpus [-- --write]
// Scores the default mapping table on the real-payload corpus in test/corpus/: every error body is sent by a real
// Fastify route with 200 (the failure this plugin exists for) and the status that leaves is compared with the
// status the provider itself sends; every success body and stream must leave with 200 and its bytes untouched.
// --write also writes test/corpus/SCORE.md and test/corpus/score.json (the figures the tap test holds).

const fs = require('node:fs')
const path = require('node:path')
const { Readable } = require('node:stream')

const CORPUS = path.join(__dirname, '..', 'test', 'corpus')

/** Every entry of every file under test/corpus/<kind>/, with the file it came from. */
function load (kind) {
  const dir = path.join(CORPUS, kind)
  return fs.readdirSync(dir).filter((file) => file.endsWith('.json')).sort().flatMap((file) =>
    JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')).map((entry, index) => ({ ...entry, file: `${kind}/${file}`, index })))
}

/** What a route sends for an entry: its SSE or NDJSON text as a stream, else its body as JSON text. */
function payloadOf (entry) {
  if (typeof entry.sse === 'string') return { contentType: 'text/event-stream', text: entry.sse, stream: true }
  if (typeof entry.ndjson === 'string') return { contentType: 'application/x-ndjson', text: entry.ndjson, stream: true }
  const text = typeof entry.body_text === 'string' ? entry.body_text : JSON.stringify(entry.body)
  return { contentType: 'application/json', text, stream: false }
}

/** A Fastify app with the plugin whose route `/entry/:i` answers 200 with entry i's payload. */
async function appFor (Fastify, plugin, entries, options) {
  const app = Fastify()
  await app.register(plugin, options)
  app.get('/entry/:i', (request, reply) => {
    const { contentType, text, stream } = payloadOf(entries[Number(request.params.i)])
    reply.code(200).header('content-type', contentType)
    reply.send(stream ? Readable.from([Buffer.from(text)]) : text)
  })
  await app.ready()
  return app
}

const family = (status) => Math.floor(status / 100)

/**
 * The score: for errors, exact and family hits overall and per provider, with every miss and what decided it;
 * for successes, every one whose status or bytes changed. `explain` gives the working for a miss.
 */
async function score ({ Fastify, plugin, explain, options = {} }) {
  const errors = load('errors')
  const successes = load('successes')
  const errorApp = await appFor(Fastify, plugin, errors, options)
  const misses = []
  const providers = new Map()
  let exact = 0
  let familyHits = 0
  for (let i = 0; i < errors.length; i++) {
    const entry = errors[i]
    const res = await errorApp.inject(`/entry/${i}`)
    const isExact = res.statusCode === entry.status
    const isFamily = family(res.statusCode) === family(entry.status)
    if (isExact) exact++
    if (isFamily) familyHits++
    const row = providers.get(entry.provider) ?? { provider: entry.provider, n: 0, exact: 0, family: 0 }
    row.n++
    if (isExact) row.exact++
    if (isFamily) row.family++
    providers.set(entry.provider, row)
    if (!isExact) {
      const explanation = explain(entry.body)
      misses.push({
        where: `${entry.file}#${entry.index}`,
        provider: entry.provider,
        expected: entry.status,
        got: res.statusCode,
        rule: explanation.decision?.rule ?? null,
        evidence: explanation.evidence.slice(0, 3).map((item) => `${item.name} ${item.weight} -> ${item.status}`).join('; '),
        envelope: explanation.envelope === null
          ? null
          : { shape: explanation.envelope.shape, type: explanation.envelope.type ?? null, code: explanation.envelope.code ?? null, hint: explanation.envelope.hint ?? null, statusName: explanation.envelope.statusName ?? null },
        message: explanation.envelope?.message.slice(0, 120) ?? JSON.stringify(entry.body).slice(0, 120),
        source: entry.source
      })
    }
  }
  await errorApp.close()

  const successApp = await appFor(Fastify, plugin, successes, options)
  const changed = []
  for (let i = 0; i < successes.length; i++) {
    const entry = successes[i]
    const res = await successApp.inject(`/entry/${i}`)
    if (res.statusCode !== 200 || res.body !== payloadOf(entry).text) {
      changed.push({ where: `${entry.file}#${entry.index}`, provider: entry.provider, endpoint: entry.endpoint, status: res.statusCode, source: entry.source })
    }
  }
  await successApp.close()

  return {
    errors: errors.length,
    providers: providers.size,
    exact,
    family: familyHits,
    exactRate: exact / errors.length,
    familyRate: familyHits / errors.length,
    perProvider: [...providers.values()].sort((a, b) => a.provider.localeCompare(b.provider)),
    misses,
    successes: successes.length,
    successesChanged: changed
  }
}

const pct = (rate) => (100 * rate).toFixed(1) + ' %'

function report (result) {
  const lines = [
    '# Corpus score',
    '',
    'Made by `npm run corpus -- --write` from the real-payload corpus in `test/corpus/` (each entry names its public source).',
    'Each error body is sent by a Fastify route with HTTP 200, through the plugin with its default options; the status',
    'that leaves is compared with the status the provider itself sends. Each success body or stream must leave with 200',
    'and its bytes untouched.',
    '',
    '| | count | exact status | status family (4xx/5xx) |',
    '|---|---:|---:|---:|',
    `| errors | ${result.errors} from ${result.providers} providers | ${result.exact} (${pct(result.exactRate)}) | ${result.family} (${pct(result.familyRate)}) |`,
    `| successes | ${result.successes} | ${result.successes - result.successesChanged.length} kept status and bytes | ${result.successesChanged.length} changed |`,
    '',
    '## Per provider',
    '',
    '| provider | errors | exact | family |',
    '|---|---:|---:|---:|',
    ...result.perProvider.map((row) => `| ${row.provider} | ${row.n} | ${row.exact} | ${row.family} |`),
    '',
    `## Misses (${result.misses.length})`,
    '',
    '| entry | provider | sent by provider | plugin gave | evidence (name weight -> status), heaviest first | envelope (shape, type, code, hint) | message |',
    '|---|---|---:|---:|---|---|---|',
    ...result.misses.map((miss) => {
      const envelope = miss.envelope === null ? 'not recognised' : [miss.envelope.shape, miss.envelope.type, miss.envelope.code, miss.envelope.hint ?? miss.envelope.statusName].map((v) => v ?? '-').join(', ')
      return `| [${miss.where}](${miss.source}) | ${miss.provider} | ${miss.expected} | ${miss.got} | ${miss.evidence === '' ? (miss.rule ?? 'none: not recognised or left alone') : miss.evidence} | ${envelope} | ${miss.message.replace(/\|/g, '\\|').replace(/\n/g, ' ')} |`
    }),
    ''
  ]
  if (result.successesChanged.length > 0) {
    lines.push(`## Successes changed (${result.successesChanged.length})`, '', ...result.successesChanged.map((c) => `- [${c.where}](${c.source}) ${c.provider} ${c.endpoint}: ${c.status}`), '')
  }
  return lines.join('\n')
}

/** The figures the tap test holds the table to. */
function figures (result) {
  return { errors: result.errors, exact: result.exact, family: result.family, successes: result.successes, successesChanged: result.successesChanged.length }
}

module.exports = { score, report, figures, load }

if (require.main === module) {
  const Fastify = require('fastify')
  const plugin = require('..')
  score({ Fastify, plugin, explain: plugin.explain }).then((result) => {
    const text = report(result)
    process.stdout.write(text + '\n')
    if (process.argv.includes('--write')) {
      fs.writeFileSync(path.join(CORPUS, 'SCORE.md'), text)
      fs.writeFileSync(path.join(CORPUS, 'score.json'), JSON.stringify(figures(result), null, 2) + '\n')
    }
  }, (error) => {
    console.error(error)
    process.exitCode = 1
  })
}
