import t from 'tap'
import fc from 'fast-check'
import { spawnSync } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import Ajv from 'ajv'
import { stringify } from 'yaml'
import { addressOf, buildGateway } from './helpers/gateway'
import { startUpstream } from './helpers/upstream'
import { loadRules } from '../lib/rules-file'
import { normaliseOptions } from '../lib/settings/options'
import { classify } from '../lib/core/classify'
import type { Rule } from '../index'

// Rules as data, through real parts: files written to a test directory, read by the real yaml and checked by the
// real Ajv against the shipped schema, then given to a real gateway in front of a real upstream.

const root = join(__dirname, '..')
const exampleFile = join(root, 'examples', 'rules.yaml')
const schema = JSON.parse(readFileSync(join(root, 'rules.schema.json'), 'utf8'))
const corpus = (file: string, provider: string, pick: (body: any) => boolean = () => true) => {
  const entries = JSON.parse(readFileSync(join(__dirname, 'corpus', 'errors', `${file}.json`), 'utf8')) as Array<{ provider: string, status: number, body: any }>
  const entry = entries.find((e) => e.provider === provider && pick(e.body))
  if (entry === undefined) throw new Error(`no ${provider} entry in ${file}.json`)
  return entry
}
// TEI's 413 for an input over the token limit, which the default table calls a 422; Gemini's FAILED_PRECONDITION.
const teiTooLong = corpus('local-servers', 'huggingface-tei', (body) => /must have less than/.test(body.error))
const geminiLocation = corpus('clouds', 'gemini', (body) => body.error?.status === 'FAILED_PRECONDITION')

/** A file in the test's own directory with these contents. */
function fileIn (t: Tap.Test, name: string, contents: string): string {
  const dir = t.testdir()
  const file = join(dir, name)
  writeFileSync(file, contents)
  return file
}

const yamlFile = (t: Tap.Test, document: unknown) => fileIn(t, 'rules.yaml', stringify(document))

/** The message loadRules throws for a YAML file holding this document. */
function problemWith (t: Tap.Test, document: unknown): string {
  const file = yamlFile(t, document)
  try {
    loadRules(file)
  } catch (error) {
    return (error as Error).message.replace(file, '<file>')
  }
  throw new Error('loadRules accepted it')
}

const okRule = { name: 'r', message: 'x', status: 400 }

t.test('registering the plugin and answering an error loads neither yaml nor the schema; loadRules loads both', async (t) => {
  const script = `
    const Fastify = require('fastify')
    const plugin = require('.')
    const loaded = () => {
      const paths = Object.keys(require.cache)
      return { yaml: paths.some((p) => /node_modules[\\\\/]yaml[\\\\/]/.test(p)), schema: paths.some((p) => p.endsWith('rules.schema.json')) }
    }
    const app = Fastify()
    app.register(plugin)
    app.get('/', async () => ({ error: { message: 'Rate limit reached', code: 'rate_limit_exceeded' } }))
    app.inject('/').then((res) => {
      const before = loaded()
      plugin.loadRules('examples/rules.yaml')
      console.log(JSON.stringify({ status: res.statusCode, before, after: loaded() }))
    })`
  const child = spawnSync(process.execPath, ['-e', script], { cwd: root, encoding: 'utf8' })
  t.equal(child.stderr, '')
  t.same(JSON.parse(child.stdout), { status: 429, before: { yaml: false, schema: false }, after: { yaml: true, schema: true } })
})

t.test('the example file loads as code rules: message sources become RegExps with the flags', async (t) => {
  const rules = loadRules(exampleFile)
  t.same(rules.map((rule) => rule.name), ['tei.input-too-long', 'fastchat.controller-error', 'gemini.unsupported-location'])
  t.same(rules[0].message, /\bmust have less than \d+ tokens\b/i)
  t.equal(rules[1].code, 50001)
  t.notOk('flags' in rules[0], 'flags are folded into the RegExp')
  t.equal(classify(teiTooLong.body, { rules })?.status, 413)
})

t.test('a gateway registered with rules: loadRules(file) answers a real corpus body with the file\'s status', async (t) => {
  const file = fileIn(t, 'gateway-rules.yaml', readFileSync(exampleFile, 'utf8'))
  // The upstream answers TEI's error with 200, as a proxy in between may.
  const upstream = await startUpstream(t, { status: 200, body: teiTooLong.body })
  const withFile = await buildGateway(t, { plugin: { rules: loadRules(file) }, upstream: upstream.url, listen: true })
  const without = await buildGateway(t, { plugin: {}, upstream: upstream.url, listen: true })
  const res = await fetch(`${addressOf(withFile)}/embed`, { method: 'POST' })
  t.equal(res.status, 413)
  t.same(await res.json(), teiTooLong.body, 'the body goes out as it came')
  t.equal(res.headers.get('x-should-retry'), 'false', 'retryable: false from the file')
  t.equal((await fetch(`${addressOf(without)}/embed`, { method: 'POST' })).status, 422, 'the default table alone says 422')
})

t.test('a JSON file, as a list or as { rules }, gives the same rules as the YAML file', async (t) => {
  const rules = readFileSync(exampleFile, 'utf8')
  const expected = loadRules(exampleFile)
  const asData = loadRules(fileIn(t, 'copy.yml', rules))
  t.same(asData, expected)
  const { parse } = require('yaml') as typeof import('yaml')
  const list = parse(rules).rules
  t.same(loadRules(fileIn(t, 'list.json', JSON.stringify(list))), expected)
  t.same(loadRules(fileIn(t, 'object.JSON', JSON.stringify({ $schema: '../rules.schema.json', rules: list }))), expected)
})

t.test('a gateway that corrects error statuses answers Gemini\'s 400 by a hint+message rule from a JSON file', async (t) => {
  const file = fileIn(t, 'rules.json', JSON.stringify([{ name: 'gemini.location', hint: 'FAILED_PRECONDITION', message: 'user location', flags: 'i', status: 403 }]))
  const upstream = await startUpstream(t, { status: geminiLocation.status, body: geminiLocation.body })
  const app = await buildGateway(t, { plugin: { rules: loadRules(file), correctErrorStatus: true }, upstream: upstream.url, listen: true })
  const res = await fetch(`${addressOf(app)}/v1beta/models/gemini-pro:generateContent`, { method: 'POST' })
  t.equal(geminiLocation.status, 400)
  t.equal(res.status, 403)
})

t.test('a list of message sources compiles each with the rule\'s flags', async (t) => {
  const [rule] = loadRules(yamlFile(t, [{ name: 'm', message: ['^a', 'b$'], flags: 'im', status: 503 }]))
  t.same(rule.message, [/^a/im, /b$/im])
})

t.test('an empty list is zero rules', async (t) => {
  t.same(loadRules(yamlFile(t, [])), [])
})

t.test('a problem names the file, the rule\'s index and the field, as FST_OPENAI_ERRORS_INVALID_RULES_FILE', async (t) => {
  const file = yamlFile(t, { rules: [okRule, { name: 'bad', message: 'x', status: 700 }] })
  t.throws(() => loadRules(file), {
    code: 'FST_OPENAI_ERRORS_INVALID_RULES_FILE',
    message: `fastify-openai-errors: ${file}: rules[1].status: must be an integer from 400 to 599, got 700`
  })
})

t.test('each field\'s problem is said in the words registration uses', async (t) => {
  const cases: Array<[object, string]> = [
    [{ ...okRule, status: 429.5 }, 'rules[0].status: must be an integer from 400 to 599, got 429.5'],
    [{ ...okRule, status: '429' }, 'rules[0].status: must be an integer from 400 to 599, got "429"'],
    [{ ...okRule, name: '' }, 'rules[0].name: must be a non-empty string, got ""'],
    [{ ...okRule, type: [] }, 'rules[0].type: must be a name or a non-empty list of names, got a list'],
    [{ ...okRule, code: true }, 'rules[0].code: must be a string, a number or a non-empty list of them, got true'],
    [{ ...okRule, message: ['a', 3] }, 'rules[0].message[1]: must be a RegExp source (1 to 1000 characters) or a non-empty list of them, got 3'],
    [{ ...okRule, message: 'a'.repeat(1001) }, `rules[0].message: must be a RegExp source (1 to 1000 characters) or a non-empty list of them, got "${'a'.repeat(40)}..."`],
    [{ ...okRule, flags: 'g' }, 'rules[0].flags: must be RegExp flags from i, m, s, u, got "g"'],
    [{ ...okRule, hint: 200 }, 'rules[0].hint: must be a status (400-599), a status name or a non-empty list of them, got 200'],
    [{ ...okRule, retryable: 'no' }, 'rules[0].retryable: must be a boolean, got "no"'],
    [{ ...okRule, weight: 100 }, 'rules[0].weight: must be an integer from 1 to 99, got 100'],
    [{ ...okRule, errorType: { a: 1 } }, 'rules[0].errorType: must be a non-empty string, got an object'],
    [{ ...okRule, source: null }, 'rules[0].source: must be a non-empty string, got null']
  ]
  for (const [rule, expected] of cases) t.equal(problemWith(t, [rule]), `fastify-openai-errors: <file>: ${expected}`)
})

t.test('a rule\'s own problems: unknown fields (with a suggestion), when, a missing name or status, no matcher, flags alone', async (t) => {
  t.match(problemWith(t, [{ ...okRule, stauts: 500 }]), /: rules\[0\]\.stauts: is not a rule field \(did you mean "status"\?\) \(use name, type, code, message, flags, hint, status, /)
  t.match(problemWith(t, [{ ...okRule, when: 'x' }]), /: rules\[0\]\.when: is a function and cannot be in a file; give this rule in code$/)
  t.match(problemWith(t, [okRule, { message: 'x', status: 500 }]), /: rules\[1\]\.name: is required$/)
  t.match(problemWith(t, [{ name: 'r', message: 'x' }]), /: rules\[0\]\.status: is required$/)
  t.match(problemWith(t, [{ name: 'r', status: 500, errorType: 'server_error' }]), /: rules\[0\]: needs at least one matcher: type, code, message, hint$/)
  t.match(problemWith(t, [{ name: 'r', code: 'x', flags: 'i', status: 500 }]), /: rules\[0\]\.flags: needs a message/)
  t.match(problemWith(t, { rules: [okRule, 'rule'] }), /: rules\[1\]: must be a rule \(an object\), got "rule"$/)
})

t.test('a message that is not a RegExp fails with the rule and the item', async (t) => {
  t.match(problemWith(t, [{ name: 'r', message: '(unclosed', status: 500 }]), /: rules\[0\]\.message: is not a valid RegExp: Invalid regular expression: \/\(unclosed\/: Unterminated group$/)
  t.match(problemWith(t, [okRule, { name: 'r', message: ['ok', '[z-a]'], status: 500 }]), /: rules\[1\]\.message\[1\]: is not a valid RegExp: /)
  t.match(problemWith(t, [{ name: 'r', message: 'a', flags: 'ii', status: 500 }]), /: rules\[0\]\.message: is not a valid RegExp: Invalid flags/)
})

t.test('the file\'s own problems: not a list or { rules }, an unknown key, no rules, rules not a list', async (t) => {
  t.match(problemWith(t, 42), /<file>: must be a list of rules or \{ rules: \[\.\.\.\] \}, got 42$/)
  t.match(problemWith(t, null), /<file>: must be a list of rules or \{ rules: \[\.\.\.\] \}, got null$/)
  t.match(problemWith(t, { rules: [], rule: [] }), /<file>: rule: is not a key of a rules file \(did you mean "rules"\?\)/)
  t.match(problemWith(t, { rule: [] }), /<file>: rules: is required \(give a list of rules, or \{ rules: \[\.\.\.\] \}\); the file has "rule"$/)
  t.match(problemWith(t, {}), /<file>: rules: is required \(give a list of rules, or \{ rules: \[\.\.\.\] \}\)$/)
  t.match(problemWith(t, { rules: okRule }), /<file>: rules: must be a list of rules, got an object$/)
})

t.test('a file that cannot be read or parsed says so, with the parser\'s position', async (t) => {
  const missing = join(t.testdir(), 'none.yaml')
  t.throws(() => loadRules(missing), { code: 'FST_OPENAI_ERRORS_INVALID_RULES_FILE', message: new RegExp(`: ${missing}: cannot be read: ENOENT`) })
  t.throws(() => loadRules(fileIn(t, 'bad.yaml', 'rules:\n  - name: a\n   status: 500\n')), { message: /bad\.yaml: is not valid YAML: .*line 3/s })
  t.throws(() => loadRules(fileIn(t, 'bad.json', '[{"name": "a",]')), { message: /bad\.json: is not valid JSON: / })
})

t.test('the schema has an $id, a title, and a description for every rule field', async (t) => {
  t.match(schema, { $id: /rules\.schema\.json$/, title: String, description: String })
  const fields = schema.definitions.rule.properties as Record<string, { description?: string }>
  t.same(Object.keys(fields).sort(), ['code', 'errorCode', 'errorType', 'flags', 'hint', 'message', 'name', 'provider', 'retryable', 'source', 'status', 'type', 'weight'])
  for (const [field, definition] of Object.entries(fields)) t.type(definition.description, 'string', `${field} is described`)
  t.equal(JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).exports['./rules.schema.json'], './rules.schema.json')
})

t.test('the schema, compiled by Ajv on its own, accepts the example file and rejects bad ones', async (t) => {
  const validate = new Ajv({ allowUnionTypes: true }).compile(schema)
  const { parse } = require('yaml') as typeof import('yaml')
  t.ok(validate(parse(readFileSync(exampleFile, 'utf8'))), 'examples/rules.yaml')
  for (const bad of [[{ ...okRule, status: 200 }], [{ name: 'r', status: 500 }], [{ ...okRule, when: 'x' }], { rules: [okRule], extra: 1 }, 'rules']) {
    t.notOk(validate(bad), JSON.stringify(bad))
  }
})

// Rules the schema accepts, in every form each field can take.
const name = fc.string({ minLength: 1, maxLength: 12 })
const listOr = <T>(one: fc.Arbitrary<T>) => fc.oneof(one, fc.array(one, { minLength: 1, maxLength: 3 }))
const source = fc.constantFrom('quota', '^model \\w+ not found', 'rate.limit', '\\bTry again in \\d+s\\b', '[a-z]{2,4}')
const fileRule = fc.record({
  name,
  type: listOr(name),
  code: listOr(fc.oneof(name, fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }))),
  message: listOr(source),
  flags: fc.subarray(['i', 'm', 's', 'u']).map((flags) => flags.join('')),
  hint: listOr(fc.oneof(fc.integer({ min: 400, max: 599 }), fc.constantFrom('RESOURCE_EXHAUSTED', 'not-found', '503'))),
  status: fc.integer({ min: 400, max: 599 }),
  errorType: name,
  errorCode: name,
  retryable: fc.boolean(),
  weight: fc.integer({ min: 1, max: 99 }),
  provider: name,
  source: name
}, { requiredKeys: ['name', 'status'] }).filter((rule) => ['type', 'code', 'message', 'hint'].some((key) => key in rule) && (!('flags' in rule) || 'message' in rule))

t.test('every rule the schema accepts, the plugin accepts at registration', async (t) => {
  const dir = t.testdir()
  let n = 0
  fc.assert(fc.property(fc.array(fileRule, { maxLength: 4 }), fc.boolean(), (rules, asJson) => {
    const file = join(dir, `r${n++}.${asJson ? 'json' : 'yaml'}`)
    writeFileSync(file, asJson ? JSON.stringify({ rules }) : stringify(rules))
    const loaded: Rule[] = loadRules(file)
    normaliseOptions({ rules: loaded })
  }), { numRuns: 200 })
})

t.test('a YAML file with aliases past the parser\'s bound is refused, not expanded', async (t) => {
  // Each level refers to the one before ten times: 10^6 rules if it were expanded.
  const levels = ['a0: &a0 {name: r, message: x, status: 500}']
  for (let i = 1; i <= 6; i++) levels.push(`a${i}: &a${i} [${Array.from({ length: 10 }, () => `*a${i - 1}`).join(', ')}]`)
  const file = fileIn(t, 'bomb.yaml', `${levels.join('\n')}\nrules: *a6\n`)
  t.throws(() => loadRules(file), { code: 'FST_OPENAI_ERRORS_INVALID_RULES_FILE', message: /is not valid YAML: .*alias/is })
})
