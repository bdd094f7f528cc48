import t from 'tap'
import { execFile } from 'node:child_process'
import { createServer } from 'node:net'
import { join } from 'node:path'
import Fastify from 'fastify'
import type { FastifyInstance } from 'fastify'
import type * as Kit from '../types/conformance'
import { loadCorpus } from '../lib/conformance/corpus'
import { loadSdk, outcomeOf } from '../lib/conformance/client'
import { caseIdOf } from '../lib/conformance/upstream'
import { parseConformanceArgs } from '../lib/conformance/cli'
import { addressOf } from './helpers/gateway'

// The examples are plain CommonJS JavaScript on the built dist/ (npm test builds first).
type Build = (opts?: Record<string, unknown>) => Promise<FastifyInstance>
const basicGateway: { build: Build } = require('../examples/basic-gateway.js')
const proxyGateway: { build: Build } = require('../examples/proxy-gateway.js')

// The subpath's entry, typed by its public declarations: what `fastify-openai-errors/conformance` gives a user.
const kit: typeof Kit = require('../lib/conformance')
const { runConformance, selectCases, renderTable } = kit
type ConformanceOptions = Kit.ConformanceOptions

const BIN = join(__dirname, '..', 'bin', 'fastify-openai-errors.js')

/** A port nothing listens on right now: the kit's upstream takes it after the gateway is pointed at it. */
async function freePort (): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return port
}

/** A gateway built with its upstream URL at 127.0.0.1:<port>/v1, listening on 127.0.0.1. */
async function listening (t: tap.Test, build: (upstreamUrl: string) => Promise<FastifyInstance>) {
  const upstreamPort = await freePort()
  const app = await build(`http://127.0.0.1:${upstreamPort}/v1`)
  await app.listen({ port: 0, host: '127.0.0.1' })
  t.teardown(() => app.close())
  return { upstreamPort, gateway: addressOf(app) }
}

/** A gateway without the plugin: it forwards with fetch and sends back the upstream's status, type and bytes. */
function plainGateway (upstreamUrl: string): Promise<FastifyInstance> {
  const app = Fastify()
  app.post('/v1/chat/completions', async (request, reply) => {
    const upstream = await fetch(`${upstreamUrl}/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(request.body)
    })
    reply.code(upstream.status).header('content-type', upstream.headers.get('content-type'))
    return reply.send(Buffer.from(await upstream.arrayBuffer()))
  })
  return Promise.resolve(app)
}

const defaultIds = selectCases({}).map((item) => item.id)
const idsOf = (kind: string): string[] => defaultIds.filter((id) => id.startsWith(`${kind}:`))

t.test('the default selection holds every way of failing, about fifty cases', async (t) => {
  const kinds = new Set(defaultIds.map((id) => id.slice(0, id.indexOf(':'))))
  t.same([...kinds].sort(), ['200', 'gzip', 'sse-first', 'sse-mid', 'status', 'success'])
  t.ok(defaultIds.length >= 30 && defaultIds.length <= 70, `${defaultIds.length} cases`)
  t.equal(new Set(defaultIds).size, defaultIds.length, 'ids are unique')
})

t.test('the entry describes every kind of case and names the header that carries the case id', async (t) => {
  t.same(Object.keys(kit.KIND_DESCRIPTIONS).sort(), ['200', 'gzip', 'sse-first', 'sse-mid', 'status', 'success'])
  t.equal(kit.CASE_HEADER, 'x-conformance-case')
})

t.test('all: every error entry four ways (and mid-stream with an error object), every success', async (t) => {
  const errors = loadCorpus('errors')
  const successes = loadCorpus('successes')
  const withErrorObject = errors.filter((entry) => typeof entry.body === 'object' && entry.body !== null && typeof (entry.body as { error?: unknown }).error === 'object' && (entry.body as { error: unknown }).error !== null)
  t.equal(selectCases({ all: true }).length, 4 * errors.length + withErrorObject.length + successes.length)
})

t.test('proxy-gateway.js passes every default case, as the openai SDK sees them', async (t) => {
  const { upstreamPort, gateway } = await listening(t, (upstreamUrl) => proxyGateway.build({ upstreamUrl }))
  const result = await runConformance({ upstreamPort, gateway })
  t.same(result.failed, [])
  t.equal(result.pass, true)
  t.equal(result.cases.length, defaultIds.length)
  const row = (kind: string) => result.cases.find((item) => item.kind === kind && item.expectedStatus === 429)
  t.match(row('200'), { upstreamStatus: 200, gatewayStatus: 429, outcome: 'RateLimitError 429' })
  t.match(row('sse-first'), { upstreamStatus: 200, gatewayStatus: 429, outcome: 'RateLimitError 429' })
  t.match(result.cases.find((item) => item.kind === 'sse-mid'), { gatewayStatus: 200, expected: '200, same bytes', outcome: 'APIError after 1 event' })
  t.ok(result.cases.some((item) => /^success, \d+ events$/.test(item.outcome)), 'a success stream reads to its end')
  t.match(renderTable(result), new RegExp(`\\nall ${defaultIds.length} cases pass$`))
})

t.test('basic-gateway.js streaming (STREAM=1) passes every default case, sent to an explicit path', async (t) => {
  const { upstreamPort, gateway } = await listening(t, (upstreamUrl) => basicGateway.build({ upstreamUrl, stream: true }))
  const result = await runConformance({ upstreamPort, upstreamHost: '127.0.0.1', gateway, path: '/v1/chat/completions', timeoutMs: 5000 })
  t.same(result.failed, [])
})

t.test('basic-gateway.js buffering (its default) passes every default case too: a buffered event stream is read', async (t) => {
  const { upstreamPort, gateway } = await listening(t, (upstreamUrl) => basicGateway.build({ upstreamUrl }))
  const result = await runConformance({ upstreamPort, upstreamHost: '127.0.0.1', gateway, path: '/v1/chat/completions', timeoutMs: 5000 })
  t.same(result.failed, [])
})

t.test('a gateway without the plugin fails, naming exactly the cases that answer an error with 200', async (t) => {
  const { upstreamPort, gateway } = await listening(t, plainGateway)
  const result = await runConformance({ upstreamPort, gateway })
  t.equal(result.pass, false)
  t.same(result.failed, [...idsOf('200'), ...idsOf('gzip'), ...idsOf('sse-first')].sort((a, b) => defaultIds.indexOf(a) - defaultIds.indexOf(b)))
  const missed = result.cases.find((item) => item.id === idsOf('200')[0])
  t.match(missed, { gatewayStatus: 200, outcome: 'success', pass: false, problem: `status 200, expected ${missed?.expectedStatus}` })
  t.match(renderTable(result), new RegExp(`FAIL: status 200, expected \\d+[\\s\\S]*\\n${result.failed.length} of ${result.cases.length} cases fail: ${result.failed[0]}, `))
})

t.test('without the SDK the outcome is worked out from the answer: error class, events before an error', async (t) => {
  const { upstreamPort, gateway } = await listening(t, plainGateway)
  const result = await runConformance({ upstreamPort, gateway, sdk: false })
  const outcome = (id: string) => result.cases.find((item) => item.id === id)?.outcome
  t.match(outcome(idsOf('status').find((id) => result.cases.find((item) => item.id === id)?.expectedStatus === 429) as string), 'RateLimitError 429')
  t.equal(outcome(idsOf('200')[0]), 'success')
  t.equal(outcome(idsOf('sse-first')[0]), 'APIError after 0 events')
  t.equal(outcome(idsOf('sse-mid')[0]), 'APIError after 1 event')
  t.ok(result.cases.some((item) => /^success, \d+ events$/.test(item.outcome)))
})

t.test('outcomeOf names the SDK error class of a status and skips [DONE] and data that is not JSON', async (t) => {
  t.equal(outcomeOf({ status: 418, contentType: 'text/plain', text: '' }), 'APIError 418')
  t.equal(outcomeOf({ status: 503, contentType: 'application/json', text: '' }), 'InternalServerError 503')
  t.equal(outcomeOf({ status: 200, contentType: 'text/event-stream', text: 'data: {"id":"1"}\n\ndata: not json\n\ndata: [DONE]\n\n' }), 'success, 2 events')
})

t.test('a gateway that changes a success body fails that case: the bytes must pass unchanged', async (t) => {
  const upstreamPort = await freePort()
  const app = Fastify()
  app.post('/v1/chat/completions', async (_request, reply) => reply.code(200).send())
  await app.listen({ port: 0, host: '127.0.0.1' })
  t.teardown(() => app.close())
  const only = [idsOf('success')[0]]
  const result = await runConformance({ upstreamPort, gateway: addressOf(app), only, sdk: false })
  t.match(result.cases, [{ id: only[0], gatewayStatus: 200, pass: false, problem: 'the body changed' }])
})

t.test('a gateway that does not answer in time fails each case with "no answer"', async (t) => {
  const upstreamPort = await freePort()
  const app = Fastify()
  app.post('/v1/chat/completions', () => new Promise(() => {}))
  await app.listen({ port: 0, host: '127.0.0.1' })
  t.teardown(() => app.close())
  const result = await runConformance({ upstreamPort, gateway: addressOf(app), only: [idsOf('200')[0]], timeoutMs: 200 })
  t.match(result.cases, [{ gatewayStatus: null, outcome: '-', pass: false, problem: /^no answer: / }])
})

t.test('a gateway that is not listening fails each case with the connection error', async (t) => {
  const [upstreamPort, closed] = [await freePort(), await freePort()]
  const result = await runConformance({ upstreamPort, gateway: `http://127.0.0.1:${closed}`, only: [idsOf('200')[0]] })
  t.match(result.cases, [{ gatewayStatus: null, problem: /^no answer: connect ECONNREFUSED/ }])
  t.match(renderTable(result), /\n200:\S+ +200 +- +\d+ +- +FAIL: no answer: connect ECONNREFUSED/)
  t.same(result.failed, [idsOf('200')[0]])
})

t.test('a request naming no case of the run gets a 418 from the upstream, so a misrouted gateway shows', async (t) => {
  const port = await freePort()
  const app = Fastify()
  // Model aliases: one it rewrites, one it leaves out; neither forwards the kit's header.
  const models = ['alias', undefined]
  app.post('/v1/chat/completions', async (request, reply) => {
    const body = JSON.stringify({ ...request.body as object, model: models.shift() })
    const upstream = await fetch(`http://127.0.0.1:${port}/v1/chat/completions`, { method: 'POST', body })
    return reply.code(upstream.status).send(await upstream.text())
  })
  await app.listen({ port: 0, host: '127.0.0.1' })
  t.teardown(() => app.close())
  const result = await runConformance({ upstreamPort: port, gateway: addressOf(app), only: idsOf('status').slice(0, 2), sdk: false })
  t.match(result.cases, [{ gatewayStatus: 418, pass: false }, { gatewayStatus: 418, pass: false }])
})

t.test('the upstream picks the case by the x-conformance-case header, else by the body\'s model', async (t) => {
  t.equal(caseIdOf('200:clouds#3', '{"model":"other"}'), '200:clouds#3')
  t.equal(caseIdOf(undefined, '{"model":"200:clouds#3"}'), '200:clouds#3')
  t.equal(caseIdOf(undefined, '{"model":3}'), null)
  t.equal(caseIdOf(undefined, 'null'), null)
  t.equal(caseIdOf(undefined, '--boundary'), null)
})

t.test('a busy upstream port rejects before any case is sent', async (t) => {
  const busy = createServer()
  await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve))
  t.teardown(() => new Promise<void>((resolve) => busy.close(() => resolve())))
  const { port } = busy.address() as { port: number }
  await t.rejects(runConformance({ upstreamPort: port, gateway: 'http://127.0.0.1:1' }), { code: 'EADDRINUSE' })
})

t.test('options it cannot run with are refused, naming the option', async (t) => {
  const good: ConformanceOptions = { upstreamPort: 4000, gateway: 'http://127.0.0.1:3000' }
  const refused = (options: Partial<Record<keyof ConformanceOptions, unknown>>, message: RegExp) =>
    t.rejects(runConformance({ ...good, ...options } as ConformanceOptions), { code: 'FST_OPENAI_ERRORS_CONFORMANCE_OPTION', message })
  await refused({ upstreamPort: 70000 }, /option "upstreamPort" must be a port number/)
  await refused({ upstreamPort: -1 }, /option "upstreamPort"/)
  await refused({ upstreamPort: '4000' }, /option "upstreamPort"/)
  await refused({ gateway: 3000 }, /option "gateway" must be an http\(s\) URL/)
  await refused({ gateway: 'localhost:3000x' }, /option "gateway"/)
  await refused({ gateway: 'not a url' }, /option "gateway"/)
  await refused({ path: 'v1/chat/completions' }, /option "path" must start with "\/"/)
  await refused({ path: 7 }, /option "path"/)
  await refused({ only: ['200:clouds#99999'] }, /option "only" names no case: "200:clouds#99999"/)
  await refused({ only: ['20:clouds#3'] }, /did you mean "200:clouds#3"/)
})

t.test('loadSdk gives null when the openai package is not installed', async (t) => {
  t.equal(loadSdk('openai-not-installed-here'), null)
  t.type(loadSdk(), 'function')
})

t.test('the CLI arguments: --flag value and --flag=value, the required flags, every misuse named', async (t) => {
  t.same(parseConformanceArgs(['--upstream-port', '4000', '--gateway=http://127.0.0.1:3000', '--json', '--all', '--only', 'a, b,', '--path=/chat/completions', '--upstream-host', '0.0.0.0']), {
    kind: 'run',
    json: true,
    options: { upstreamPort: 4000, gateway: 'http://127.0.0.1:3000', path: '/chat/completions', upstreamHost: '0.0.0.0', all: true, only: ['a', 'b'] }
  })
  t.same(parseConformanceArgs(['--upstream-port', '4000', '--gateway', 'http://g']), {
    kind: 'run', json: false, options: { upstreamPort: 4000, gateway: 'http://g', path: undefined, upstreamHost: undefined, all: false, only: undefined }
  })
  t.same(parseConformanceArgs(['--help']), { kind: 'help' })
  const problem = (args: string[]) => (parseConformanceArgs(args) as { problem: string }).problem
  t.equal(problem(['--upstrem-port', '1']), 'unknown option "--upstrem-port" (did you mean "--upstream-port"?)')
  t.match(problem(['4000']), /^unexpected argument "4000"/)
  t.equal(problem(['--gateway']), '--gateway needs a value')
  t.equal(problem(['--gateway=']), '--gateway needs a value')
  t.match(problem(['--gateway', 'http://g']), /needs --upstream-port PORT/)
  t.match(problem(['--upstream-port', '4000']), /needs --gateway URL/)
  t.match(problem(['--upstream-port', 'x', '--gateway', 'http://g']), /--upstream-port must be a port number/)
  t.match(problem(['--upstream-port', '0', '--gateway', 'http://g']), /--upstream-port must be a port number/)
  t.match(problem(['--upstream-port', '65536', '--gateway', 'http://g']), /--upstream-port must be a port number/)
})

interface Run { code: number, stdout: string, stderr: string }
function cli (args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { timeout: 20_000 }, (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : (error.code as number), stdout, stderr })
    })
  })
}

t.test('the CLI, end to end: exit 0 and the table for a passing gateway', async (t) => {
  const { upstreamPort, gateway } = await listening(t, (upstreamUrl) => proxyGateway.build({ upstreamUrl }))
  const run = await cli(['conformance', '--upstream-port', String(upstreamPort), '--gateway', gateway])
  t.equal(run.code, 0, run.stderr)
  t.match(run.stdout, /^case +upstream +gateway +expected +SDK-visible outcome +result\n/)
  t.match(run.stdout, new RegExp(`\\nall ${defaultIds.length} cases pass\\n$`))
})

t.test('the CLI, end to end: exit 1 naming the failing cases for a gateway without the plugin; --json', async (t) => {
  const { upstreamPort, gateway } = await listening(t, plainGateway)
  const only = [idsOf('status')[0], idsOf('200')[0]]
  const run = await cli(['conformance', `--upstream-port=${upstreamPort}`, `--gateway=${gateway}`, '--only', only.join(',')])
  t.equal(run.code, 1)
  t.match(run.stdout, `\n1 of 2 cases fail: ${only[1]}\n`)
  const json = await cli(['conformance', `--upstream-port=${upstreamPort}`, `--gateway=${gateway}`, '--only', only.join(','), '--json'])
  t.equal(json.code, 1)
  t.match(JSON.parse(json.stdout), { pass: false, failed: [only[1]] })
})

t.test('the CLI, end to end: exit 2 with the usage on stderr for misuse and for a refused option; --help exits 0', async (t) => {
  const missing = await cli(['conformance', '--gateway', 'http://127.0.0.1:3000'])
  t.equal(missing.code, 2)
  t.match(missing.stderr, /conformance needs --upstream-port PORT[\s\S]*usage: fastify-openai-errors/)
  const unknown = await cli(['conformance', '--upstream-port', '4000', '--gateway', 'http://127.0.0.1:3000', '--only', 'nope'])
  t.equal(unknown.code, 2)
  t.equal(unknown.stderr, 'fastify-openai-errors conformance: option "only" names no case: "nope"\n')
  const help = await cli(['conformance', '--help'])
  t.equal(help.code, 0)
  t.match(help.stdout, /--upstream-port PORT +where the fake upstream listens/)
})
