'use strict'

// Soak test: a LiteLLM-like upstream and a proxying gateway (@fastify/reply-from + the plugin, from dist/) on
// 127.0.0.1, a mixed load with bounded concurrency, then the numbers: statuses by class, mismatches against the
// status each request kind must get, the gateway's heap, buffers, RSS and open handles before and after.
//
//   npm run soak                       # builds, then 5000 requests
//   node scripts/soak.js --requests 20000 --concurrency 64
//
// The gateway runs in a child process started with --expose-gc, so its memory is measured after a real
// collection and apart from the load generator's. Exits 1 on any mismatch, on heap, buffer or RSS growth over its
// bound (--max-heap-growth-mib 16, --max-buffer-growth-mib 16, --max-rss-growth-mib 128), or on a handle left open
// after the gateway closed. It measures after each quarter of the run too, and fails when the second half grows the
// heap or RSS (--max-late-heap-growth-mib 4, --max-late-rss-growth-mib 16) or when open handles grow from the first
// checkpoint to the last. Stops by itself (--deadline-s 300 ends a run that hangs).

const { fork } = require('node:child_process')
const http = require('node:http')
const zlib = require('node:zlib')

const HOST = '127.0.0.1'

function option (name, fallback) {
  const index = process.argv.indexOf(`--${name}`)
  if (index === -1) return fallback
  const value = Number(process.argv[index + 1])
  if (!Number.isInteger(value) || value < 1) {
    console.error(`--${name} takes a positive integer`)
    process.exit(2)
  }
  return value
}

// ---- the gateway (child process) ----

async function runGateway () {
  const Fastify = require('fastify')
  const replyFrom = require('@fastify/reply-from')
  const openaiErrors = require('..')

  const app = Fastify({ logger: false })
  await app.register(openaiErrors)
  await app.register(replyFrom, { base: process.env.SOAK_UPSTREAM })
  app.all('/*', (request, reply) => { reply.from(request.url) })
  await app.listen({ port: 0, host: HOST })

  const settle = (ms) => new Promise((resolve) => setTimeout(resolve, ms))
  async function measure () {
    // Two collections with a pause between: finalizers and socket teardown run in between.
    global.gc()
    await settle(200)
    global.gc()
    const { heapUsed, rss, arrayBuffers } = process.memoryUsage()
    const handles = {}
    for (const name of process.getActiveResourcesInfo()) handles[name] = (handles[name] ?? 0) + 1
    return { heapUsed, rss, arrayBuffers, handles }
  }

  process.on('message', async (message) => {
    if (message === 'measure') {
      process.send({ type: 'measured', ...(await measure()) })
    } else if (message === 'close') {
      await app.close()
      await settle(500)
      process.send({ type: 'closed', ...(await measure()) })
    }
  })
  process.send({ type: 'ready', url: `http://${HOST}:${app.server.address().port}` })
}

// ---- the upstream (parent process): answers like an OpenAI-compatible proxy ----

const COMPLETION = JSON.stringify({ id: 'chatcmpl-1', object: 'chat.completion', created: 1, model: 'gpt-4o-mini', choices: [{ index: 0, message: { role: 'assistant', content: 'Hello!' }, finish_reason: 'stop' }], usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 } })
const CHUNK = (content) => `data: ${JSON.stringify({ id: 'chatcmpl-1', object: 'chat.completion.chunk', choices: [{ index: 0, delta: { content } }] })}\n\n`

/** What the upstream sends for each request kind, and the status the gateway must answer with. */
const KINDS = [
  { name: 'json success', weight: 4, expect: 200, body: COMPLETION },
  { name: 'litellm no models (#27030)', weight: 2, expect: 404, body: '{"error":{"message":"No models available for selected model","type":"invalid_request_error"}}' },
  { name: 'openai rate limit', weight: 1, expect: 429, body: '{"error":{"message":"Rate limit reached for gpt-4o","type":"requests","param":null,"code":"rate_limit_exceeded"}}' },
  { name: 'anthropic overloaded', weight: 1, expect: 529, body: '{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}' },
  { name: 'gemini quota', weight: 1, expect: 429, body: '[{"error":{"code":429,"message":"Resource has been exhausted","status":"RESOURCE_EXHAUSTED"}}]' },
  { name: 'vllm not found', weight: 1, expect: 404, body: '{"object":"error","message":"The model `qwen` does not exist.","type":"NotFoundError","param":null,"code":404}' },
  { name: 'mistral code 1300', weight: 1, expect: 429, body: '{"object":"error","message":"Requests rate limit exceeded","type":"rate_limited","param":null,"code":"1300"}' },
  { name: 'ollama string error', weight: 1, expect: 404, body: '{"error":"model \\"llama2\\" not found, try pulling it first"}' },
  { name: 'json chunked error', weight: 1, expect: 404, chunked: '{"error":{"message":"No models available","type":"invalid_request_error"}}' },
  { name: 'json success in two writes, with a content-length', weight: 2, expect: 200, parts: COMPLETION },
  { name: 'gzip success', weight: 1, expect: 200, gzip: COMPLETION },
  { name: 'gzip rate limit', weight: 1, expect: 429, gzip: '{"error":{"message":"Rate limit reached for gpt-4o","type":"requests","param":null,"code":"rate_limit_exceeded"}}' },
  { name: 'sse success', weight: 3, expect: 200, sse: [': ping\n\n', CHUNK('Hel'), CHUNK('lo'), 'data: [DONE]\n\n'] },
  { name: 'sse error first', weight: 2, expect: 429, sse: [': ping\n\n', 'data: {"error":{"message":"Rate limit reached","type":"requests","code":"rate_limit_exceeded"}}\n\n'] },
  { name: 'sse anthropic error event', weight: 1, expect: 529, sse: ['event: error\ndata: {"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}\n\n'] },
  { name: 'client aborts mid-stream', weight: 2, expect: 'aborted', sse: 'endless' }
]

function startUpstream () {
  const server = http.createServer((req, res) => {
    const kind = KINDS[Number(req.url.split('/')[2])]
    if (kind.body !== undefined) {
      res.writeHead(200, { 'content-type': 'application/json' })
      return res.end(kind.body)
    }
    if (kind.gzip !== undefined) {
      const body = zlib.gzipSync(kind.gzip)
      res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip', 'content-length': body.length })
      return res.end(body)
    }
    if (kind.parts !== undefined) {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(kind.parts) })
      res.write(kind.parts.slice(0, 40))
      return setImmediate(() => res.end(kind.parts.slice(40)))
    }
    if (kind.chunked !== undefined) {
      res.writeHead(200, { 'content-type': 'application/json' })
      res.write(kind.chunked.slice(0, 10))
      return setImmediate(() => res.end(kind.chunked.slice(10)))
    }
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' })
    if (kind.sse === 'endless') {
      // Tokens until the client goes away (bounded, should it never).
      let sent = 0
      const timer = setInterval(() => {
        res.write(CHUNK(`t${sent}`))
        if (++sent === 1000) { clearInterval(timer); res.end('data: [DONE]\n\n') }
      }, 2)
      res.on('close', () => clearInterval(timer))
      return
    }
    let index = 0
    const next = () => {
      if (index === kind.sse.length) return res.end()
      res.write(kind.sse[index++])
      setImmediate(next)
    }
    next()
  })
  return new Promise((resolve) => server.listen(0, HOST, () => resolve(server)))
}

// ---- the load ----

function call (agent, url, abort) {
  return new Promise((resolve) => {
    const req = http.request(url, { agent, method: 'POST', headers: { 'content-type': 'application/json' } }, (res) => {
      let bytes = 0
      res.on('data', (chunk) => {
        bytes += chunk.length
        if (abort && bytes > 0) {
          req.destroy()
          resolve({ status: res.statusCode, aborted: true })
        }
      })
      res.on('end', () => resolve({ status: res.statusCode, aborted: false }))
      res.on('error', () => resolve({ status: res.statusCode, aborted: true }))
    })
    req.on('error', (error) => resolve({ status: 0, aborted: false, error: error.code }))
    req.end('{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}]}')
  })
}

/** The kind of the i-th request: a fixed, weighted round robin, so a run is repeatable. */
const schedule = KINDS.flatMap((kind, index) => Array(kind.weight).fill(index))

async function drive (gatewayUrl, count, concurrency, tally) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency })
  let next = 0
  async function worker () {
    while (next < count) {
      const index = schedule[next++ % schedule.length]
      const kind = KINDS[index]
      const result = await call(agent, `${gatewayUrl}/v1/${index}/chat/completions`, kind.expect === 'aborted')
      tally.requests++
      const klass = result.status === 0 ? `failed (${result.error})` : `${String(result.status)[0]}xx`
      tally.byClass[klass] = (tally.byClass[klass] ?? 0) + 1
      const got = result.aborted ? 'aborted' : result.status
      const ok = kind.expect === 'aborted' ? result.aborted && result.status === 200 : got === kind.expect
      if (!ok) {
        tally.mismatches++
        const key = `${kind.name}: expected ${kind.expect}, got ${got}`
        tally.mismatchKinds[key] = (tally.mismatchKinds[key] ?? 0) + 1
      }
    }
  }
  await Promise.all(Array.from({ length: concurrency }, worker))
  agent.destroy()
}

// ---- the run ----

async function main () {
  const requests = option('requests', 5000)
  const concurrency = option('concurrency', 32)
  const maxHeapGrowthMiB = option('max-heap-growth-mib', 16)
  // Buffers live outside the heap: a leaked body shows here, not in heapUsed.
  const maxBufferGrowthMiB = option('max-buffer-growth-mib', 16)
  // RSS moves with the allocator as much as with leaks: a loose bound, for gross growth only.
  const maxRssGrowthMiB = option('max-rss-growth-mib', 128)
  // Once the first half has levelled memory off, the second half must not grow it.
  const maxLateHeapGrowthMiB = option('max-late-heap-growth-mib', 4)
  const maxLateRssGrowthMiB = option('max-late-rss-growth-mib', 16)
  const warmup = Math.min(1000, Math.ceil(requests / 5))
  const deadline = setTimeout(() => {
    console.error('soak: deadline passed, giving up')
    process.exit(1)
  }, option('deadline-s', 300) * 1000)

  const upstream = await startUpstream()
  const child = fork(__filename, ['--role', 'gateway'], {
    execArgv: ['--expose-gc'],
    env: { ...process.env, SOAK_UPSTREAM: `http://${HOST}:${upstream.address().port}` },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc']
  })
  child.on('exit', (code) => { if (code !== 0 && code !== null) console.error(`soak: gateway exited with ${code}`) })
  const replies = []
  const waiters = []
  child.on('message', (message) => { waiters.length > 0 ? waiters.shift()(message) : replies.push(message) })
  const nextMessage = () => new Promise((resolve) => { replies.length > 0 ? resolve(replies.shift()) : waiters.push(resolve) })
  const ask = (what) => { child.send(what); return nextMessage() }

  const { url } = await nextMessage()
  const warm = { requests: 0, byClass: {}, mismatches: 0, mismatchKinds: {} }
  await drive(url, warmup, concurrency, warm)
  const before = await ask('measure')

  const tally = { requests: 0, byClass: {}, mismatches: 0, mismatchKinds: {} }
  const started = Date.now()
  // In quarters, measured after each: a leak grows from one quarter to the next, while the allocator's RSS and the
  // JIT level off after the first.
  const checkpoints = []
  for (let quarter = 1; quarter <= 4; quarter++) {
    await drive(url, Math.round(requests * quarter / 4) - Math.round(requests * (quarter - 1) / 4), concurrency, tally)
    if (quarter < 4) checkpoints.push({ requests: tally.requests, ...(await ask('measure')) })
  }
  const seconds = (Date.now() - started) / 1000
  await new Promise((resolve) => setTimeout(resolve, 500))
  const after = await ask('measure')
  checkpoints.push({ requests: tally.requests, ...after })
  const closed = await ask('close')
  child.disconnect()
  upstream.close()
  upstream.closeAllConnections()
  clearTimeout(deadline)

  const mib = (bytes) => (bytes / (1 << 20)).toFixed(2)
  const heapGrowth = (after.heapUsed - before.heapUsed) / (1 << 20)
  const bufferGrowth = (after.arrayBuffers - before.arrayBuffers) / (1 << 20)
  const rssGrowth = (after.rss - before.rss) / (1 << 20)
  const half = checkpoints[1]
  const lateHeapGrowth = (after.heapUsed - half.heapUsed) / (1 << 20)
  const lateRssGrowth = (after.rss - half.rss) / (1 << 20)
  // Handles that outlive the gateway: anything but the IPC pipe and stdio is a leak.
  const leftOpen = Object.entries(closed.handles).filter(([name]) => !['PipeWrap', 'TTYWrap', 'FSReqCallback'].includes(name))

  console.log(`soak: ${tally.requests} requests (after ${warm.requests} to warm up), concurrency ${concurrency}, ${seconds.toFixed(1)} s, ${Math.round(tally.requests / seconds)} req/s`)
  console.log(`  statuses by class: ${JSON.stringify(tally.byClass)}`)
  console.log(`  mismatches: ${tally.mismatches}${tally.mismatches > 0 ? ' ' + JSON.stringify(tally.mismatchKinds) : ''} (warm-up: ${warm.mismatches})`)
  console.log(`  gateway heap: ${mib(before.heapUsed)} MiB before, ${mib(after.heapUsed)} MiB after (growth ${heapGrowth.toFixed(2)} MiB, bound ${maxHeapGrowthMiB} MiB)`)
  console.log(`  gateway buffers: ${mib(before.arrayBuffers)} MiB before, ${mib(after.arrayBuffers)} MiB after (growth ${bufferGrowth.toFixed(2)} MiB, bound ${maxBufferGrowthMiB} MiB)`)
  console.log(`  gateway RSS:  ${mib(before.rss)} MiB before, ${mib(after.rss)} MiB after (growth ${rssGrowth.toFixed(2)} MiB, bound ${maxRssGrowthMiB} MiB)`)
  console.log(`  checkpoints (requests: heap / buffers / RSS MiB, handles): ${checkpoints.map((point) => `${point.requests}: ${mib(point.heapUsed)} / ${mib(point.arrayBuffers)} / ${mib(point.rss)}, ${Object.values(point.handles).reduce((sum, n) => sum + n, 0)}`).join('; ')}`)
  console.log(`  second half (from ${half.requests} requests to the end): heap ${lateHeapGrowth >= 0 ? '+' : ''}${lateHeapGrowth.toFixed(2)} MiB (bound ${maxLateHeapGrowthMiB}), RSS ${lateRssGrowth >= 0 ? '+' : ''}${lateRssGrowth.toFixed(2)} MiB (bound ${maxLateRssGrowthMiB})`)
  console.log(`  gateway handles: ${JSON.stringify(before.handles)} before, ${JSON.stringify(after.handles)} after, ${JSON.stringify(closed.handles)} once closed`)

  const failures = []
  if (tally.mismatches > 0 || warm.mismatches > 0) failures.push('status mismatches')
  if (heapGrowth > maxHeapGrowthMiB) failures.push(`heap grew ${heapGrowth.toFixed(2)} MiB`)
  if (bufferGrowth > maxBufferGrowthMiB) failures.push(`buffers grew ${bufferGrowth.toFixed(2)} MiB`)
  if (rssGrowth > maxRssGrowthMiB) failures.push(`RSS grew ${rssGrowth.toFixed(2)} MiB`)
  if (lateHeapGrowth > maxLateHeapGrowthMiB) failures.push(`heap grew ${lateHeapGrowth.toFixed(2)} MiB in the second half`)
  if (lateRssGrowth > maxLateRssGrowthMiB) failures.push(`RSS grew ${lateRssGrowth.toFixed(2)} MiB in the second half`)
  const handleCounts = checkpoints.map((point) => Object.values(point.handles).reduce((sum, n) => sum + n, 0))
  if (handleCounts[handleCounts.length - 1] > handleCounts[0]) failures.push(`open handles grew from ${handleCounts[0]} to ${handleCounts[handleCounts.length - 1]}`)
  if (leftOpen.length > 0) failures.push(`handles left open after close: ${JSON.stringify(Object.fromEntries(leftOpen))}`)
  if (failures.length > 0) {
    console.log(`FAIL: ${failures.join('; ')}`)
    process.exitCode = 1
  } else {
    console.log('OK')
  }
}

if (process.argv.includes('--role')) {
  runGateway().catch((error) => { console.error(error); process.exit(1) })
  process.on('disconnect', () => process.exit(0))
} else {
  main().catch((error) => { console.error(error); process.exit(1) })
}
