import t from 'tap'
import { spawnSync } from 'node:child_process'
import { join } from 'node:path'
import { explain } from '../lib/core/classify'

const cli = join(__dirname, '..', 'bin', 'fastify-openai-errors.js')
const run = (args: string[], input?: string) => spawnSync(process.execPath, [cli, ...args], { input, encoding: 'utf8' })

t.test('explain shows the envelope, the decision and every rule tried up to the one that decided', async (t) => {
  const explanation = explain({ error: { message: 'Budget has been exceeded!', type: 'budget_exceeded', code: '429' } })
  t.match(explanation.envelope, { shape: 'openai', hint: 429 })
  t.match(explanation.decision, { status: 429, rule: 'status-hint', retryable: false })
  t.same(explanation.trail[0], { stage: 'status-hint', rule: 'status-hint', matched: true })
  t.same(explanation.trail.filter((step) => step.matched).map((step) => step.rule), ['status-hint', 'litellm.budget-exceeded'])
})

t.test('explain with user rules lists them first, and a fallback shows as the last step', async (t) => {
  const explanation = explain({ error: 'mystery' }, { rules: [{ name: 'mine', message: 'warming', status: 503 }] })
  t.same(explanation.trail[0], { stage: 'user', rule: 'mine', matched: false })
  t.same(explanation.trail[explanation.trail.length - 1], { stage: 'fallback', rule: 'fallback', matched: true })
  t.same(explain('{"id":"x"}'), { envelope: null, decision: null, trail: [], evidence: [], margin: null })
})

t.test('the CLI explains a body given as an argument', async (t) => {
  const res = run(['explain', '{"error":{"message":"No models available","type":"invalid_request_error"}}'])
  t.equal(res.status, 0)
  t.match(res.stdout, /decision: 404 by litellm\.no-models-available/)
  t.match(res.stdout, /decided\s+50\s+404\s+litellm\.no-models-available \(rule, reads message, litellm\)/)
})

t.test('the CLI reads stdin, prints JSON with --json and every rule with --all', async (t) => {
  const json = run(['explain', '--json'], '{"error":"Rate limit exceeded. Try again in 2 seconds"}')
  t.equal(json.status, 0)
  t.match(JSON.parse(json.stdout), { decision: { status: 429, retryAfterMs: 2000 } })
  const all = run(['explain', '--all'], '{"message":"hello"}')
  t.match(all.stdout, /envelope: message \(weak/)
  t.match(all.stdout, /decision: none/)
  t.ok(all.stdout.split('\n').filter((line) => line.includes('  -  ')).length > 20, 'every rule tried is listed')
  const matched = run(['explain', '--all', '{"error":{"message":"No models available"}}'])
  t.match(matched.stdout, /\n  match  default\s+litellm\.no-models-available\n/, 'and the ones that matched are marked')
})

t.test('the CLI shows the evidence weighed: what decided, what agreed, what was outweighed, and the margin', async (t) => {
  const res = run(['explain', '{"error":{"message":"No models available","code":500}}'])
  t.match(res.stdout, /decision: 500 by status-hint/)
  t.match(res.stdout, /evidence, heaviest first \(margin 40 over the next status\):/)
  t.match(res.stdout, /decided\s+90\s+500\s+status-hint \(claim, reads error\.code\)/)
  t.match(res.stdout, /outweighed\s+50\s+404\s+litellm\.no-models-available/)
  const agreeing = run(['explain', '{"error":{"message":"No models available","code":404}}'])
  t.match(agreeing.stdout, /agrees\s+50\s+404\s+litellm\.no-models-available/, 'a rule that agrees with the claim')
  t.match(agreeing.stdout, /nothing disagreed/)
})

t.test('explain() gives each piece of evidence its weight and what it read; specific wording outweighs a generic type', async (t) => {
  const explanation = explain({ error: { message: 'The model `x` does not exist', type: 'api_error' } })
  t.match(explanation.decision, { status: 404, rule: 'any.model-not-found' })
  t.match(explanation.evidence, [
    { kind: 'rule', name: 'any.model-not-found', status: 404, weight: 50, reads: 'message', provider: 'generic' },
    { kind: 'rule', name: 'anthropic.api-error', status: 500, weight: 30, reads: 'type', provider: 'anthropic' }
  ])
  t.equal(explanation.margin, 20)
})

t.test('the CLI shortens long messages and shows a missing wait as a dash', async (t) => {
  const res = run(['explain', JSON.stringify({ error: { message: 'x'.repeat(300), code: 'model_not_found' } })])
  t.match(res.stdout, /message: "x{200}\.\.\."/)
  t.match(res.stdout, /retry after: -/)
  t.match(run(['explain', '{"error":"Rate limit exceeded. Try again in 2 seconds"}']).stdout, /retry after: 2000 ms/)
})

t.test('the CLI says when a body is no error, and refuses what is not JSON or not a command', async (t) => {
  t.match(run(['explain', '{"id":1}']).stdout, /not an error envelope/)
  const bad = run(['explain', '{nope'])
  t.equal(bad.status, 2)
  t.match(bad.stderr, /not JSON/)
  const usage = run(['what'])
  t.equal(usage.status, 2)
  t.match(usage.stderr, /usage: fastify-openai-errors explain/)
  t.equal(usage.stdout, '', 'misuse prints nothing on stdout')
})

t.test('help, --help, -h and no arguments all print the usage on stdout and exit 0', async (t) => {
  for (const args of [[], ['help'], ['--help'], ['-h'], ['explain', '--help']]) {
    const res = run(args)
    t.equal(res.status, 0, args.join(' ') || 'no arguments')
    t.match(res.stdout, /^usage: fastify-openai-errors explain/)
    t.equal(res.stderr, '')
  }
})

t.test('--version, -v and version print the package version', async (t) => {
  const { version } = require('../package.json')
  for (const flag of ['--version', '-v', 'version']) {
    const res = run([flag])
    t.equal(res.status, 0)
    t.equal(res.stdout, version + '\n', flag)
  }
})

t.test('a misspelt command or option exits 2 with "did you mean"', async (t) => {
  const command = run(['explian', '{}'])
  t.equal(command.status, 2)
  t.match(command.stderr, /unknown command "explian" \(did you mean "explain"\?\)/)
  const option = run(['--verison'])
  t.equal(option.status, 2)
  t.match(option.stderr, /unknown option "--verison" \(did you mean "--version"\?\)/)
  const flag = run(['explain', '--jsn', '{}'])
  t.equal(flag.status, 2)
  t.match(flag.stderr, /unknown option "--jsn" \(did you mean "--json"\?\)/)
  const far = run(['explain', '--colour', '{}'])
  t.match(far.stderr, /unknown option "--colour"\n/, 'no suggestion when nothing is close')
})

t.test('empty input says what to give instead of a JSON parse error', async (t) => {
  for (const input of ['', '  \n']) {
    const res = run(['explain'], input)
    t.equal(res.status, 2)
    t.match(res.stderr, /no response body: give it as an argument or on stdin/)
    t.notMatch(res.stderr, /Unexpected end of JSON input/)
  }
})
