import t from 'tap'
import { spawnSync } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

// The CLI's rules-file commands, run as a user runs them (node bin/... over the built dist/), on real files.

const root = join(__dirname, '..')
const cli = join(root, 'bin', 'fastify-openai-errors.js')
const exampleFile = join(root, 'examples', 'rules.yaml')
const run = (args: string[]) => spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', cwd: root })

// FastChat's controller error (test/corpus/errors/local-servers.json): code 50001, an empty message.
const fastchat = (JSON.parse(readFileSync(join(__dirname, 'corpus', 'errors', 'local-servers.json'), 'utf8')) as Array<{ provider: string, body: { code?: unknown } }>)
  .find((entry) => entry.provider === 'fastchat' && entry.body.code === 50001)?.body
const fastchatBody = JSON.stringify(fastchat)

function badFile (t: Tap.Test): string {
  const file = join(t.testdir(), 'bad.yaml')
  writeFileSync(file, '- name: ok\n  code: x\n  status: 500\n- name: bad\n  code: y\n  status: 700\n')
  return file
}

t.test('check prints the number of rules and the file, and exits 0', async (t) => {
  const res = run(['check', 'examples/rules.yaml'])
  t.equal(res.status, 0)
  t.equal(res.stdout, 'ok: 3 rules (examples/rules.yaml)\n')
  t.equal(res.stderr, '')
})

t.test('check on a file with one rule says "1 rule"', async (t) => {
  const file = join(t.testdir(), 'one.json')
  writeFileSync(file, '[{"name":"one","code":"x","status":503}]')
  t.equal(run(['check', file]).stdout, `ok: 1 rule (${file})\n`)
})

t.test('check on a bad file prints the file, the rule and the field on stderr, and exits 1', async (t) => {
  const file = badFile(t)
  const res = run(['check', file])
  t.equal(res.status, 1)
  t.equal(res.stdout, '')
  t.equal(res.stderr, `fastify-openai-errors: ${file}: rules[1].status: must be an integer from 400 to 599, got 700\n`)
})

t.test('check without a file, or with two, is misuse: exit 2 with the usage', async (t) => {
  for (const args of [['check'], ['check', 'a.yaml', 'b.yaml']]) {
    const res = run(args)
    t.equal(res.status, 2, args.join(' '))
    t.match(res.stderr, /^fastify-openai-errors: check (needs a rules file|takes one rules file, got 2 arguments)/)
    t.match(res.stderr, /usage: fastify-openai-errors explain .*\n\s+fastify-openai-errors check RULES_FILE/)
  }
})

t.test('check --help prints the usage and exits 0', async (t) => {
  const res = run(['check', '--help'])
  t.equal(res.status, 0)
  t.match(res.stdout, /check      checks a rules file/)
})

t.test('a misspelt check is suggested', async (t) => {
  t.match(run(['chek', 'examples/rules.yaml']).stderr, /unknown command "chek" \(did you mean "check"\?\)/)
})

t.test('explain --rules tries the file\'s rules before the default table', async (t) => {
  const plain = run(['explain', fastchatBody])
  t.match(plain.stdout, /decision: 400 by fastchat\.error-code/, 'the default table alone')
  const res = run(['explain', '--rules', exampleFile, fastchatBody])
  t.equal(res.status, 0)
  t.match(res.stdout, /decision: 500 by fastchat\.controller-error/)
  t.match(res.stdout, /decided\s+100\s+500\s+fastchat\.controller-error \(user/)
})

t.test('explain --rules=FILE works with the other flags, in any order', async (t) => {
  const res = run(['explain', '--json', `--rules=${exampleFile}`, fastchatBody])
  t.equal(res.status, 0)
  t.match(JSON.parse(res.stdout), { decision: { status: 500, rule: 'fastchat.controller-error' } })
})

t.test('explain --rules without a file is misuse (exit 2); with a bad file it says why and exits 1', async (t) => {
  for (const args of [['explain', fastchatBody, '--rules'], ['explain', '--rules=', fastchatBody]]) {
    const res = run(args)
    t.equal(res.status, 2)
    t.match(res.stderr, /--rules needs a rules file/)
  }
  const file = badFile(t)
  const bad = run(['explain', '--rules', file, fastchatBody])
  t.equal(bad.status, 1)
  t.equal(bad.stdout, '')
  t.match(bad.stderr, `${file}: rules[1].status: must be an integer from 400 to 599, got 700`)
  t.match(run(['explain', '--rules', join(t.testdir(), 'none.yaml'), fastchatBody]).stderr, /none\.yaml: cannot be read: ENOENT/)
})
