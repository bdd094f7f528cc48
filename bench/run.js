'use strict'

// npm run bench [-- --quick] [-- --profile] [-- --aa] [-- --only small,error] [-- --rounds 6 --sets 3 --shared-rounds 12 --duration 2]
//
// Each scenario runs against four servers, each in its own process, on 127.0.0.1:
//   (a) bare     Fastify alone
//   (b) plugin   Fastify with fastify-openai-errors (require('..'), the built dist/)
//   (c) hand     Fastify with the onSend hook a user would write instead (hand-written-hook.js)
//   (d) hook     Fastify with an onSend hook that hands every payload on untouched: what having any onSend hook
//                costs, so that (b) can be told apart from the hook path Fastify runs for every hook
// The load comes from this process (autocannon, or sequential node:http requests for the time to first byte of
// event streams); the proxied scenarios go through @fastify/reply-from to an upstream in a process of its own.
// The servers take turns in rounds, in an order that changes from round to round (orderOf: a Williams square), so
// that drift of the machine and what one server's load leaves behind fall on all four alike; then,
// for JSON scenarios, all four take load at once on one shared core. See BENCHMARKS.md for the method.
// Results: a table on stdout, bench/results/latest.json, and (full runs) BENCHMARKS.md and bench/chart.svg.

const { spawn, execFileSync } = require('node:child_process')
const fs = require('node:fs')
const http = require('node:http')
const os = require('node:os')
const path = require('node:path')
const autocannon = require('autocannon')
const bodies = require('./bodies')
const { quantile, median } = require('./stats')
const report = require('./report')
const { summarise } = require('./profile')
const { snapshot, foreignCores, pin, canPin } = require('./machine')

const ROOT = path.join(__dirname, '..')
const RESULTS = path.join(__dirname, 'results')
const PROFILES = path.join(RESULTS, 'profiles')
// The A/A noise floor (npm run bench -- --aa), committed: the ratios identical bare servers gave, per scenario.
const AA_FILE = path.join(__dirname, 'aa.json')

// ---- options ----

function parseArgs (argv) {
  const args = { quick: false, profile: false, pin: true, aa: false, write: undefined, only: null, rounds: undefined, sets: undefined, sharedRounds: undefined, duration: undefined, requests: undefined }
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]
    if (arg === '--quick') args.quick = true
    else if (arg === '--profile') args.profile = true
    else if (arg === '--no-pin') args.pin = false
    else if (arg === '--aa') args.aa = true
    else if (arg === '--write') args.write = true
    else if (arg === '--no-write') args.write = false
    else if (arg === '--only') args.only = argv[++i].split(',')
    else if (arg === '--rounds') args.rounds = Number(argv[++i])
    else if (arg === '--sets') args.sets = Number(argv[++i])
    else if (arg === '--shared-rounds') args.sharedRounds = Number(argv[++i])
    else if (arg === '--duration') args.duration = Number(argv[++i])
    else if (arg === '--requests') args.requests = Number(argv[++i])
    else throw new Error(`unknown argument ${arg} (known: --quick, --profile, --no-pin, --aa, --write, --no-write, --only a,b, --rounds n, --sets n, --shared-rounds n, --duration s, --requests n)`)
  }
  return args
}

const args = parseArgs(process.argv.slice(2))
const config = {
  mode: args.quick ? 'quick' : 'full',
  // Multiples of the four servers, so that every server takes every place in the order equally often (orderOf).
  rounds: args.rounds ?? (args.quick ? 4 : 8),
  // seconds of autocannon load per server per round, and before the first round (JIT warm-up, not measured)
  duration: args.duration ?? (args.quick ? 0.3 : 2),
  // Then rounds with the four servers under load at the same time, sharing CPU 0 (JSON scenarios only).
  sharedRounds: args.sharedRounds ?? (args.quick ? 4 : 16),
  sharedDuration: args.quick ? 0.3 : 1,
  warmup: args.quick ? 0.2 : 1,
  connections: 10,
  pipelining: 1,
  // sequential requests per server per round for the event-stream scenarios
  requests: args.requests ?? (args.quick ? 60 : 400),
  warmupRequests: args.quick ? 20 : 100,
  profile: args.profile,
  // A/A check of the method: all four servers run bare Fastify, so every ratio should be 1 within the noise.
  aa: args.aa === true,
  // Servers under test on CPU 0; this process (the load) and the upstream on CPU 1. Same for all four servers.
  pin: args.pin && (os.availableParallelism?.() ?? os.cpus().length) >= 2 && canPin(),
  // Full runs start the four servers afresh for each scenario (peak RSS per scenario, no state carried over);
  // quick runs start them once, to save the start-up time.
  freshServers: !args.quick || args.profile,
  // Fresh sets of the four server processes per scenario, the rounds shared among them (full runs): three identical
  // bare servers in one set differed by up to 20% for the set's whole life on this VM, in either direction.
  sets: args.sets ?? (!args.quick && !args.profile ? 3 : 1),
  // A round during which other processes used more CPU than this (in cores) is run again, after waiting up to
  // quietWait seconds for the machine to calm down, as long as the whole run has spent less than retryBudget
  // seconds on that. (Quick runs only report it: they are for checking a change, not for the record.)
  quietThreshold: 0.1,
  retryBudget: args.quick ? 0 : 90,
  quietWait: 15
}
// BENCHMARKS.md and chart.svg are the committed record: written by full, unprofiled runs of every scenario.
const writeRecord = args.write ?? (!args.quick && !args.profile && !args.aa && args.only === null)

const SERVERS = [
  { id: 'bare', label: '(a) bare' },
  { id: 'plugin', label: '(b) plugin' },
  { id: 'hand', label: '(c) hand-written' },
  { id: 'hook', label: '(d) empty hook' }
]

/**
 * The order of the servers in round r: rows of a Williams square (for an even count of servers), so that over every
 * SERVERS.length rounds each server takes each place once and follows each other server once. With a plain rotation
 * each server always followed the same one ((b) came right after (a) in every round), and whatever the one before
 * left behind on the machine (the load generator's garbage from 1 GB of responses, say) fell on the same server.
 */
const ORDERS = (() => {
  const n = SERVERS.length
  const first = [0]
  for (let low = 1, high = n - 1; first.length < n; low++, high--) {
    first.push(low)
    if (first.length < n) first.push(high)
  }
  return first.map((_, r) => first.map((i) => (i + r) % n))
})()
const orderOf = (r) => ORDERS[r % ORDERS.length]

// expect: the status each server must answer with; body: the bytes it must send (checked once per scenario), or per
// server in bodies; requests: sequential requests per server per round, where the scenario's own pace sets them.
const ALL_SCENARIOS = [
  { id: 'small', name: 'small success JSON (1 KB)', path: '/small', kind: 'load', target: 'success', body: Buffer.from(bodies.SMALL), expect: { bare: 200, plugin: 200, hand: 200, hook: 200 } },
  { id: 'large', name: 'large success JSON (1 MB)', path: '/large', kind: 'load', target: 'success', body: bodies.LARGE, expect: { bare: 200, plugin: 200, hand: 200, hook: 200 } },
  { id: 'error', name: 'error envelope sent with 200', path: '/error', kind: 'load', target: 'error', body: bodies.ERROR, expect: { bare: 200, plugin: bodies.ERROR_STATUS, hand: 500, hook: 200 } },
  { id: 'error-varied', name: 'error envelopes sent with 200, each body new', path: '/error-varied', kind: 'load', target: 'error', body: bodies.VARIED_ERRORS[0], expect: { bare: 200, plugin: bodies.ERROR_STATUS, hand: 500, hook: 200 } },
  { id: 'proxy-small', name: 'proxied success JSON (1 KB)', path: '/proxy/chat', kind: 'load', target: 'success', proxied: true, body: Buffer.from(bodies.SMALL), expect: { bare: 200, plugin: 200, hand: 200, hook: 200 } },
  { id: 'proxy-gzip', name: 'proxied gzip success JSON (1 KB)', path: '/proxy/gzip', kind: 'load', target: 'success', proxied: true, body: bodies.GZIP_SMALL, expect: { bare: 200, plugin: 200, hand: 200, hook: 200 } },
  { id: 'proxy-large', name: 'proxied success JSON (1 MB)', path: '/proxy/large', kind: 'load', target: 'success', proxied: true, body: bodies.LARGE, expect: { bare: 200, plugin: 200, hand: 200, hook: 200 } },
  { id: 'proxy-error', name: 'proxied error envelope, upstream 200', path: '/proxy/error', kind: 'load', target: 'error', proxied: true, body: bodies.ERROR, expect: { bare: 200, plugin: bodies.ERROR_STATUS, hand: 500, hook: 200 } },
  { id: 'paused', name: `proxied success JSON, upstream pauses ${bodies.PAUSE_MS} ms mid-body`, path: '/proxy/paused', kind: 'sequential', target: 'ttfb', proxied: true, requests: { full: 10, quick: 3, warmup: 2 }, body: bodies.SMALL_BUFFER, expect: { bare: 200, plugin: 200, hand: 200, hook: 200 } },
  { id: 'sse', name: 'proxied SSE success stream', path: '/proxy/sse', kind: 'sequential', target: 'ttfb', proxied: true, body: bodies.SSE, expect: { bare: 200, plugin: 200, hand: 200, hook: 200 } },
  { id: 'sse-error', name: 'proxied SSE error-first stream', path: '/proxy/sse-error', kind: 'sequential', target: 'error', proxied: true, requests: { full: 100, quick: 30, warmup: 20 }, body: bodies.SSE_ERROR, bodies: { plugin: bodies.ERROR, hand: bodies.ERROR }, expect: { bare: 200, plugin: bodies.ERROR_STATUS, hand: 500, hook: 200 } }
]
const SCENARIOS = ALL_SCENARIOS.filter((scenario) => args.only === null || args.only.includes(scenario.id))

if (SCENARIOS.length === 0) throw new Error(`--only matched no scenario (known: ${ALL_SCENARIOS.map((scenario) => scenario.id).join(', ')})`)

// ---- child processes ----

const children = new Set()

function killAll () {
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
  }
  children.clear()
}

process.on('exit', killAll)
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => {
    console.error(`\n${signal}: stopping the servers`)
    process.exit(130)
  })
}

/**
 * Start a script in its own Node process, on the given CPUs when pinning; resolves with the child and the port
 * it reports over IPC.
 */
function start (script, argv, { execArgv = [], cpus = null } = {}) {
  return new Promise((resolve, reject) => {
    const command = [process.execPath, ...execArgv, path.join(__dirname, script), ...argv]
    // taskset execs node in place: the child's pid is node's.
    if (config.pin && cpus !== null) command.unshift('taskset', '-c', cpus)
    const child = spawn(command[0], command.slice(1), { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
    children.add(child)
    const timer = setTimeout(() => fail(new Error(`${script} ${argv.join(' ')} did not start within 15 s`)), 15_000)
    function fail (error) {
      clearTimeout(timer)
      child.kill('SIGKILL')
      reject(error)
    }
    child.once('error', fail)
    child.once('exit', (code, signal) => fail(new Error(`${script} ${argv.join(' ')} exited (${signal ?? code}) before it was ready`)))
    child.once('message', (message) => {
      if (message?.type !== 'ready') return fail(new Error(`${script}: unexpected message ${JSON.stringify(message)}`))
      clearTimeout(timer)
      child.removeAllListeners('exit')
      child.removeAllListeners('error')
      child.on('exit', () => children.delete(child))
      resolve({ child, port: message.port })
    })
  })
}

/** Ask a server to exit cleanly (so --cpu-prof writes its profile); kill it if it has not within 5 s. */
function stop (child) {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve()
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000)
    child.once('exit', () => {
      clearTimeout(timer)
      children.delete(child)
      resolve()
    })
    try {
      child.send({ type: 'exit' })
    } catch {
      child.kill('SIGKILL')
    }
  })
}

/** Peak resident set size of a process in bytes (VmHWM), or null where /proc is not there. */
function peakRss (pid) {
  try {
    const match = /^VmHWM:\s+(\d+) kB/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))
    return match === null ? null : Number(match[1]) * 1024
  } catch {
    return null
  }
}

// ---- load ----

/** autocannon against one URL; every response's latency is kept (autocannon's histogram keeps whole ms only). */
function load (port, urlPath, seconds) {
  return new Promise((resolve, reject) => {
    const latencies = []
    const statuses = {}
    const started = process.hrtime.bigint()
    const instance = autocannon({
      url: `http://127.0.0.1:${port}${urlPath}`,
      connections: config.connections,
      pipelining: config.pipelining,
      duration: seconds,
      timeout: 10,
      // autocannon checks for the end of a run once per sample; sample often so that short runs end on time.
      sampleInt: 100
    }, (error, result) => {
      if (error) return reject(error)
      const elapsed = Number(process.hrtime.bigint() - started) / 1e9
      resolve({
        rps: latencies.length / elapsed,
        p50: quantile(latencies, 0.5),
        p99: quantile(latencies, 0.99),
        requests: latencies.length,
        seconds: elapsed,
        statuses,
        errors: result.errors,
        timeouts: result.timeouts
      })
    })
    instance.on('response', (client, statusCode, bytes, responseTime) => {
      latencies.push(responseTime)
      statuses[statusCode] = (statuses[statusCode] ?? 0) + 1
    })
  })
}

/** One GET: status, body, time to the response head (TTFB) and to its last byte (TTLB), in ms. */
function get (agent, port, urlPath, keepBody = false) {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint()
    const request = http.get({ host: '127.0.0.1', port, path: urlPath, agent }, (response) => {
      const head = process.hrtime.bigint()
      const chunks = []
      let bytes = 0
      response.on('data', (chunk) => {
        bytes += chunk.length
        if (keepBody) chunks.push(chunk)
      })
      response.on('end', () => resolve({
        status: response.statusCode,
        contentType: response.headers['content-type'],
        body: keepBody ? Buffer.concat(chunks) : null,
        bytes,
        ttfb: Number(head - started) / 1e6,
        ttlb: Number(process.hrtime.bigint() - started) / 1e6
      }))
      response.on('error', reject)
    })
    request.setTimeout(10_000, () => request.destroy(new Error(`GET ${urlPath} timed out`)))
    request.on('error', reject)
  })
}

/** n requests one after another on one kept-alive connection, the way one client reads a stream. */
async function sequential (port, urlPath, n) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 })
  const ttfb = []
  const ttlb = []
  const statuses = {}
  const started = process.hrtime.bigint()
  try {
    for (let i = 0; i < n; i++) {
      const result = await get(agent, port, urlPath)
      ttfb.push(result.ttfb)
      ttlb.push(result.ttlb)
      statuses[result.status] = (statuses[result.status] ?? 0) + 1
    }
  } finally {
    agent.destroy()
  }
  const elapsed = Number(process.hrtime.bigint() - started) / 1e9
  return {
    rps: n / elapsed,
    p50: quantile(ttlb, 0.5),
    p99: quantile(ttlb, 0.99),
    ttfbP50: quantile(ttfb, 0.5),
    ttfbP99: quantile(ttfb, 0.99),
    requests: n,
    seconds: elapsed,
    statuses,
    errors: 0,
    timeouts: 0
  }
}

// ---- one scenario ----

/** One request to each server: the status and the bytes must be what the scenario expects. */
async function check (scenario, servers) {
  const agent = new http.Agent({ keepAlive: false })
  const seen = {}
  const problems = []
  for (const server of SERVERS) {
    const result = await get(agent, servers[server.id].port, scenario.path, true)
    const expected = scenario.bodies?.[server.id] ?? scenario.body
    seen[server.id] = { status: result.status, bytes: result.bytes, contentType: result.contentType, bodyAsExpected: result.body.equals(expected) }
    if (result.status !== scenario.expect[server.id]) problems.push(`${server.label} answered ${result.status}, expected ${scenario.expect[server.id]}`)
    if (!result.body.equals(expected)) problems.push(`${server.label} sent ${result.bytes} bytes that differ from the ${expected.length} expected`)
  }
  agent.destroy()
  return { seen, problems }
}

/** Ask a child process over IPC and resolve with one field of its answer; reject if it has not answered within 5 s. */
function askChild (child, type, field, what) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what} was not reported within 5 s`)), 5000)
    child.once('message', (message) => {
      clearTimeout(timer)
      resolve(message[field])
    })
    child.send({ type })
  })
}

/** The CPU time (microseconds) a server process has used so far. */
const cpuOf = (child) => askChild(child, 'usage', 'cpu', "a server's CPU time")
/** How many connections the upstream has accepted so far. */
const connectionsOf = (child) => askChild(child, 'connections', 'count', "the upstream's connections")

const requestsOf = (scenario) => scenario.requests?.[config.mode] ?? config.requests
let upstreamChild = null

/** One measurement of one server; with the server's CPU time per request, which the load generator does not limit. */
async function measure (scenario, server, warm) {
  if (warm) {
    if (scenario.kind === 'sequential') return sequential(server.port, scenario.path, scenario.requests?.warmup ?? config.warmupRequests)
    return load(server.port, scenario.path, config.warmup)
  }
  const before = await cpuOf(server.child)
  const connectionsBefore = scenario.proxied ? await connectionsOf(upstreamChild) : 0
  const result = scenario.kind === 'sequential'
    ? await sequential(server.port, scenario.path, requestsOf(scenario))
    : await load(server.port, scenario.path, config.duration)
  const used = await cpuOf(server.child) - before
  // New connections the gateway opened to the upstream, per request it answered.
  if (scenario.proxied) result.upstreamConnections = (await connectionsOf(upstreamChild) - connectionsBefore) / result.requests
  result.cpuPerRequest = used / result.requests
  // Share of one core the server used: below 1, the load generator, not the server, set the pace.
  result.cpuBusy = used / 1e6 / result.seconds
  return result
}

function summariseRounds (rounds) {
  const of = (key) => rounds.map((round) => round[key]).filter((value) => value !== undefined)
  const summary = {
    rps: median(of('rps')),
    p50: median(of('p50')),
    p99: median(of('p99')),
    cpuPerRequest: median(of('cpuPerRequest')),
    cpuBusy: median(of('cpuBusy'))
  }
  if (rounds[0].upstreamConnections !== undefined) {
    // Over all rounds together: connections are rare events, and a median of per-round rates would hide them.
    const requests = rounds.reduce((sum, round) => sum + round.requests, 0)
    summary.upstreamConnections = rounds.reduce((sum, round) => sum + round.upstreamConnections * round.requests, 0) / requests
  }
  if (rounds[0].ttfbP50 !== undefined) {
    summary.ttfbP50 = median(of('ttfbP50'))
    summary.ttfbP99 = median(of('ttfbP99'))
  }
  const statuses = {}
  for (const round of rounds) for (const [status, count] of Object.entries(round.statuses)) statuses[status] = (statuses[status] ?? 0) + count
  summary.statuses = statuses
  summary.errors = rounds.reduce((sum, round) => sum + round.errors + round.timeouts, 0)
  return summary
}

/** The median over rounds of the per-round ratio: each round's servers ran back to back. */
function pairedRatio (rounds, key, over, under) {
  const ratios = rounds.map((round) => round[over][key] / round[under][key])
  return { median: median(ratios), min: Math.min(...ratios), max: Math.max(...ratios) }
}

let retrySpent = 0 // seconds spent on rounds run again and on waiting for quiet, over the whole run

/** Wait, up to quietWait seconds, for a second during which other processes use less than quietThreshold cores. */
async function waitQuiet (ours) {
  const deadline = Date.now() + config.quietWait * 1000
  let foreign = Infinity
  while (Date.now() < deadline) {
    const before = snapshot(ours)
    await new Promise((resolve) => setTimeout(resolve, 1000))
    foreign = foreignCores(before, snapshot(ours))
    if (foreign < config.quietThreshold) break
  }
  return foreign
}

const debug = process.env.BENCH_DEBUG === '1'
  ? (what, since) => process.stderr.write(` [${what} ${((Date.now() - since) / 1000).toFixed(2)} s]`)
  : () => {}

/** Start the four servers, each in its own process, on CPU 0 when pinning. */
async function startServers (upstream, tag, offset = 0) {
  const phase = Date.now()
  const upstreamUrl = `http://127.0.0.1:${upstream.port}`
  // Spawned in a rotated order: which of the four is made first is one of the things a set of processes differs in.
  const spawnOrder = orderOf(offset).map((i) => SERVERS[i])
  const spawned = await Promise.all(spawnOrder.map((server) => {
    const execArgv = config.profile && server.id === 'plugin'
      ? ['--cpu-prof', '--cpu-prof-interval', '200', `--cpu-prof-dir=${PROFILES}`, `--cpu-prof-name=plugin-${tag}.cpuprofile`]
      : []
    return start('server.js', [config.aa ? 'bare' : server.id, upstreamUrl], { execArgv, cpus: '0' })
  }))
  debug('start', phase)
  const started = SERVERS.map((server) => spawned[spawnOrder.indexOf(server)])
  return {
    byId: Object.fromEntries(SERVERS.map((server, i) => [server.id, started[i]])),
    ours: new Set([process.pid, upstream.child.pid, ...started.map((server) => server.child.pid)]),
    async stop () {
      await Promise.all(started.map((server) => stop(server.child)))
    }
  }
}

/**
 * Run rounds until `count` were kept: a round during which other processes took CPU is run again, within the
 * run's retry budget.
 */
async function runRounds (count, ours, run) {
  const kept = []
  const discarded = []
  while (kept.length < count) {
    const started = Date.now()
    const before = snapshot(ours)
    // A round run again keeps its number, and so its order of servers: the kept rounds stay balanced.
    const round = await run(kept.length)
    round.foreignCores = foreignCores(before, snapshot(ours))
    if (round.foreignCores > config.quietThreshold && retrySpent < config.retryBudget) {
      // Its numbers would say more about that other process than about ours.
      discarded.push(round)
      process.stderr.write('x')
      await waitQuiet(ours)
      retrySpent += (Date.now() - started) / 1000
      continue
    }
    kept.push(round)
    process.stderr.write('.')
  }
  return { kept, discarded }
}

/** All four servers under load at once, each with its own connections, sharing CPU 0: drift falls on all alike. */
async function measureShared (scenario, servers, r) {
  const children = SERVERS.map((server) => servers[server.id].child)
  const before = await Promise.all(children.map(cpuOf))
  // Whose load starts first rotates too.
  const order = orderOf(r)
  const started = order.map((i) => load(servers[SERVERS[i].id].port, scenario.path, config.sharedDuration))
  const results = []
  for (let k = 0; k < order.length; k++) results[order[k]] = await started[k]
  const after = await Promise.all(children.map(cpuOf))
  const round = {}
  SERVERS.forEach((server, i) => {
    const result = results[i]
    result.cpuPerRequest = (after[i] - before[i]) / result.requests
    result.cpuBusy = (after[i] - before[i]) / 1e6 / result.seconds
    round[server.id] = result
  })
  // Near 1: CPU 0 was saturated, so the servers, not the load generator, set the pace.
  round.cpuBusyTotal = results.reduce((sum, result) => sum + result.cpuBusy, 0)
  return round
}

/**
 * The rounds of one scenario on one set of server processes: `rounds` alternating, `sharedRounds` on a shared core.
 * `first` numbers its first rounds: the rotation of who goes first runs on across sets, so that every server takes
 * every place equally often however few rounds a set has (numbered from 0 in each set, the same server went second
 * in every alternating round of a run with one round a set, and was slower for it alone).
 */
async function collectRounds (scenario, set, rounds, sharedRounds, first) {
  const servers = set.byId
  const ours = set.ours
  let phase = Date.now()
  const checked = config.aa ? { seen: {}, problems: [] } : await check(scenario, servers)
  if (checked.problems.length > 0) throw new Error(`${scenario.name}: ${checked.problems.join('; ')}`)
  // Warmed up in the rotated order too: in A/A runs the server warmed first was the fast one of its set.
  for (const i of orderOf(first.alternating)) await measure(scenario, servers[SERVERS[i].id], true)
  debug('check+warm-up', phase)

  phase = Date.now()
  const alternating = await runRounds(rounds, ours, async (index) => {
    const r = first.alternating + index
    const round = {}
    // Who goes first and who follows whom change from round to round (orderOf).
    for (const i of orderOf(r)) {
      const server = SERVERS[i]
      round[server.id] = await measure(scenario, servers[server.id], false)
    }
    return round
  })
  debug('alternating', phase)
  let shared = null
  if (scenario.kind === 'load' && sharedRounds > 0) {
    phase = Date.now()
    process.stderr.write(' ')
    shared = await runRounds(sharedRounds, ours, (index) => measureShared(scenario, servers, first.shared + index))
    debug('shared', phase)
  }
  const rss = {}
  for (const server of SERVERS) rss[server.id] = peakRss(servers[server.id].child.pid)
  return { checked, alternating, shared, rss }
}

/** Split `total` rounds over `sets` sets of processes, as evenly as can be (the first sets take the remainder). */
function share (total, sets, k) {
  return Math.floor(total / sets) + (k < total % sets ? 1 : 0)
}

/** How many of `total` rounds the sets before set k take. */
function before (total, sets, k) {
  let count = 0
  for (let j = 0; j < k; j++) count += share(total, sets, j)
  return count
}

/** One scenario: its rounds on `setCount` sets of server processes (set k from `startSet(k)`, stopped after), pooled. */
async function runScenario (scenario, setCount, startSet) {
  const parts = []
  for (let k = 0; k < setCount; k++) {
    const set = await startSet(k)
    try {
      const first = { alternating: before(config.rounds, setCount, k), shared: before(config.sharedRounds, setCount, k) }
      parts.push(await collectRounds(scenario, set, share(config.rounds, setCount, k), share(config.sharedRounds, setCount, k), first))
    } finally {
      await set.stop()
    }
  }
  const checked = parts[0].checked
  const alternating = { kept: parts.flatMap((part) => part.alternating.kept), discarded: parts.flatMap((part) => part.alternating.discarded) }
  const sharedParts = parts.filter((part) => part.shared !== null)
  const shared = sharedParts.length === 0
    ? null
    : { kept: sharedParts.flatMap((part) => part.shared.kept), discarded: sharedParts.flatMap((part) => part.shared.discarded) }
  const rounds = alternating.kept
  const rss = {}
  for (const server of SERVERS) rss[server.id] = Math.max(...parts.map((part) => part.rss[server.id]))
  const summary = {}
  for (const server of SERVERS) summary[server.id] = summariseRounds(rounds.map((round) => round[server.id]))
  const ratios = {
    pluginOverBare: pairedRatio(rounds, 'rps', 'plugin', 'bare'),
    pluginOverHand: pairedRatio(rounds, 'rps', 'plugin', 'hand'),
    p99PluginOverBare: pairedRatio(rounds, 'p99', 'plugin', 'bare'),
    pluginOverHook: pairedRatio(rounds, 'rps', 'plugin', 'hook'),
    p99PluginOverHook: pairedRatio(rounds, 'p99', 'plugin', 'hook')
  }
  let sharedSummary = null
  if (shared !== null) {
    ratios.sharedPluginOverBare = pairedRatio(shared.kept, 'rps', 'plugin', 'bare')
    ratios.sharedPluginOverHand = pairedRatio(shared.kept, 'rps', 'plugin', 'hand')
    ratios.sharedPluginOverHook = pairedRatio(shared.kept, 'rps', 'plugin', 'hook')
    sharedSummary = { cpuBusyTotal: median(shared.kept.map((round) => round.cpuBusyTotal)) }
    for (const server of SERVERS) sharedSummary[server.id] = summariseRounds(shared.kept.map((round) => round[server.id]))
  }
  const allKept = [...rounds, ...(shared?.kept ?? [])]
  return {
    id: scenario.id,
    name: scenario.name,
    kind: scenario.kind,
    target: scenario.target,
    path: scenario.path,
    check: checked.seen,
    summary,
    sharedSummary,
    ratios,
    peakRss: rss,
    peakRssCumulative: !config.freshServers,
    processSets: setCount,
    foreignCores: {
      max: Math.max(...allKept.map((round) => round.foreignCores)),
      discardedRounds: alternating.discarded.length + (shared?.discarded.length ?? 0)
    },
    rounds,
    sharedRounds: shared?.kept ?? [],
    discarded: [...alternating.discarded, ...(shared?.discarded ?? [])]
  }
}

// ---- targets ----

// Throughput targets are judged on the shared-core ratio where there is one: it is the one the machine's drift
// does not reach (see the A/A check, --aa). The alternating ratio is given alongside.
function throughputRatio (result, key) {
  const shared = result.ratios[`shared${key[0].toUpperCase()}${key.slice(1)}`]
  const alternating = result.ratios[key]
  return shared === undefined
    ? { value: alternating.median, text: `${alternating.median.toFixed(3)} (alternating)` }
    : { value: shared.median, text: `${shared.median.toFixed(3)} shared core, ${alternating.median.toFixed(3)} alternating` }
}

/** (b)'s p99 over another server's (default (a)): medians over the alternating rounds of each round's p99. */
const p99Ratio = (result, under = 'bare') => result.summary.plugin.p99 / result.summary[under].p99

const percent = (ratio) => `${ratio >= 1 ? '+' : ''}${((ratio - 1) * 100).toFixed(1)}%`

function targets (results, aa) {
  const list = []
  const byId = Object.fromEntries(results.map((result) => [result.id, result]))
  for (const id of ['small', 'large', 'proxy-small', 'proxy-gzip', 'proxy-large']) {
    const result = byId[id]
    if (result === undefined) continue
    const throughput = throughputRatio(result, 'pluginOverBare')
    const p99 = p99Ratio(result)
    // Beside it, against the empty hook (d), and the same ratio between identical servers in the last A/A run.
    const aaP99 = aa?.scenarios?.[result.id]?.p99
    list.push({ scenario: result.name, target: '(b)/(a) throughput >= 0.97', value: throughput.text, met: throughput.value >= 0.97 })
    list.push({
      scenario: result.name,
      target: '(b) p99 within 5% of (a)',
      value: `${percent(p99)} (${result.summary.plugin.p99.toFixed(2)} vs ${result.summary.bare.p99.toFixed(2)} ms); (b) vs (d) ${percent(p99Ratio(result, 'hook'))}` +
        (aaP99 === undefined ? '' : `; A/A ${percent(aaP99)}`),
      met: p99 <= 1.05
    })
  }
  if (byId.sse !== undefined) {
    const delta = byId.sse.summary.plugin.ttfbP50 - byId.sse.summary.bare.ttfbP50
    list.push({ scenario: byId.sse.name, target: '(b) median TTFB within 1 ms of (a)', value: `${delta >= 0 ? '+' : ''}${delta.toFixed(3)} ms`, met: delta <= 1 })
  }
  if (byId.paused !== undefined) {
    const delta = byId.paused.summary.plugin.ttfbP50 - byId.paused.summary.bare.ttfbP50
    list.push({ scenario: byId.paused.name, target: '(b) median TTFB within 5 ms of (a)', value: `${delta >= 0 ? '+' : ''}${delta.toFixed(3)} ms`, met: delta <= 5 })
  }
  for (const id of ['error', 'proxy-error', 'sse-error']) {
    const result = byId[id]
    if (result === undefined) continue
    const ratio = throughputRatio(result, 'pluginOverHand')
    list.push({ scenario: result.name, target: '(b) at least as fast as (c)', value: ratio.text, met: ratio.value >= 1 })
  }
  for (const result of results) {
    const per = result.summary.plugin.upstreamConnections
    if (per === undefined) continue
    list.push({ scenario: result.name, target: '(b) upstream connections per request <= 1.01', value: `${per.toFixed(4)} ((a) ${result.summary.bare.upstreamConnections.toFixed(4)}, (c) ${result.summary.hand.upstreamConnections.toFixed(4)})`, met: per <= 1.01 })
  }
  return list
}

// ---- the machine ----

function machine () {
  let cpu = os.cpus()[0]?.model ?? 'unknown'
  try {
    const match = /^model name\s*:\s*(.+)$/m.exec(fs.readFileSync('/proc/cpuinfo', 'utf8'))
    if (match !== null) cpu = match[1].trim()
  } catch {}
  const version = (name) => {
    try {
      return require(`${name}/package.json`).version
    } catch {
      return 'unknown'
    }
  }
  let commit = 'unknown'
  let dirty = false
  try {
    commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim()
    dirty = execFileSync('git', ['status', '--porcelain', '--', 'lib'], { cwd: ROOT, encoding: 'utf8' }).trim() !== ''
  } catch {}
  return {
    cpu,
    cores: os.cpus().length,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    os: `${os.type()} ${os.release()}`,
    node: process.version,
    fastify: version('fastify'),
    replyFrom: version('@fastify/reply-from'),
    autocannon: version('autocannon'),
    plugin: require('../package.json').version,
    commit: dirty ? `${commit} with uncommitted changes in lib/` : commit,
    date: new Date().toISOString()
  }
}

// ---- main ----

async function main () {
  const startedAt = Date.now()
  fs.mkdirSync(RESULTS, { recursive: true })
  if (config.profile) fs.mkdirSync(PROFILES, { recursive: true })
  require('..') // fail now, not in a child, when dist/ is missing: run `npm run build`
  const info = machine()
  console.error(`fastify-openai-errors benchmark, ${config.mode} mode: ${config.rounds} rounds per scenario, ` +
    (SCENARIOS.some((s) => s.kind === 'load') ? `${config.duration} s x ${config.connections} connections per server per round` : '') +
    (SCENARIOS.some((s) => s.kind === 'sequential') ? `, ${config.requests} sequential requests per server per round for streams` : '') +
    `\n${info.cpu}, ${info.cores} cores, Node ${info.node}${config.profile ? '; (b) runs under --cpu-prof: its numbers are not comparable' : ''}`)

  if (config.pin) config.pin = pin(process.pid, '1')
  const upstream = await start('upstream.js', [], { cpus: '1' })
  upstreamChild = upstream.child
  const results = []
  let shared = null
  try {
    if (!config.freshServers) shared = await startServers(upstream, 'all')
    for (const scenario of SCENARIOS) {
      process.stderr.write(`${scenario.name} `)
      const scenarioStarted = Date.now()
      // Fresh servers: config.sets sets of four processes in turn, each spawned in another order, the rounds
      // shared among them, so that a lucky or unlucky process (where the kernel put its memory, what its JIT made)
      // is one of several behind each ratio.
      const result = shared === null
        ? await runScenario(scenario, config.sets, (k) => startServers(upstream, config.sets === 1 ? scenario.id : `${scenario.id}-${k}`, k))
        : await runScenario(scenario, 1, async () => ({ ...shared, stop: async () => {} })) // stopped once, after every scenario
      results.push(result)
      process.stderr.write(` (b)/(a) ${result.ratios.pluginOverBare.median.toFixed(3)}, (b)/(c) ${result.ratios.pluginOverHand.median.toFixed(3)}` +
        `, ${((Date.now() - scenarioStarted) / 1000).toFixed(1)} s` +
        (result.foreignCores.max > config.quietThreshold ? `; other processes used up to ${result.foreignCores.max.toFixed(2)} cores: disturbed` : '') + '\n')
    }
  } finally {
    await shared?.stop()
    await stop(upstream.child)
  }

  // The noise floor a run is judged beside: the last A/A's (not an A/A run's own).
  const floor = !config.aa && fs.existsSync(AA_FILE) ? JSON.parse(fs.readFileSync(AA_FILE, 'utf8')) : undefined
  const output = {
    machine: info,
    config,
    servers: SERVERS,
    seconds: Math.round((Date.now() - startedAt) / 1000),
    scenarios: results,
    targets: targets(results, floor)
  }
  if (config.aa && args.write !== false) {
    // The noise floor, kept beside the record: every later report prints it next to the ratios it measured.
    const previous = fs.existsSync(AA_FILE) ? JSON.parse(fs.readFileSync(AA_FILE, 'utf8')) : { scenarios: {} }
    for (const result of results) {
      previous.scenarios[result.id] = {
        ratios: result.ratios,
        ttfbDelta: result.summary.bare.ttfbP50 === undefined ? undefined : result.summary.plugin.ttfbP50 - result.summary.bare.ttfbP50,
        p99: p99Ratio(result),
        date: info.date.slice(0, 10),
        commit: info.commit
      }
    }
    fs.writeFileSync(AA_FILE, JSON.stringify(previous, null, 2) + '\n')
    console.error(`wrote the A/A noise floor to ${path.relative(ROOT, AA_FILE)}`)
  } else if (floor !== undefined) {
    output.aa = floor
  }
  fs.writeFileSync(path.join(RESULTS, 'latest.json'), JSON.stringify(output, null, 2) + '\n')
  console.log('\n' + report.text(output))

  if (config.profile) {
    console.log('\nCPU profiles of (b), one per scenario (bench/results/profiles/):')
    for (const result of results) {
      const file = path.join(PROFILES, `plugin-${config.freshServers ? result.id : 'all'}.cpuprofile`)
      if (fs.existsSync(file)) console.log('\n' + summarise(file, 12).text)
    }
  }
  if (writeRecord) {
    fs.writeFileSync(path.join(__dirname, 'chart.svg'), report.svg(output))
    report.writeMarkdown(path.join(ROOT, 'BENCHMARKS.md'), output)
    console.log('\nwrote BENCHMARKS.md, bench/chart.svg and bench/results/latest.json')
  } else {
    console.log(`\nwrote bench/results/latest.json (BENCHMARKS.md is written by a full run: npm run bench)`)
  }
  console.log(`${output.seconds} s`)
}

main().then(() => {
  killAll()
}, (error) => {
  console.error('\nbenchmark failed:', error)
  killAll()
  process.exitCode = 1
})
