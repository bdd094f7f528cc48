'use strict'

// The demo: BerriAI/litellm#27030 before and after.
//
// An upstream that answers like the LiteLLM proxy in that report (HTTP 200 with an error body for an
// unknown model) and the gateway from basic-gateway.js in front of it, both on 127.0.0.1. The same
// requests go to the upstream directly and through the gateway; the table shows the statuses side by side.
// Exits 1 if the gateway did not give an error its status, or touched a success.
//
//   npm run demo      (builds dist/, then runs this file)

const http = require('node:http')
const { classify } = require('fastify-openai-errors')
const { build } = require('./basic-gateway')

const KNOWN_MODEL = 'gpt-4o-mini'
const REPORT_MODEL = 'totally-nonexistent-model-xyz'

// The bodies in-band errors arrive with. The first is the report's; the others are what other servers
// send for the same kind of failure (sources in ../shared/fixtures/provider-errors.json), answered with
// 200 here as a proxy does when it passes a backend's error through as content.
const IN_BAND_ERRORS = {
  [REPORT_MODEL]: '{"error":{"message":"No models available...","type":"invalid_request_error"}}',
  'ollama/llama2': '{"error":"model \\"llama2\\" not found, try pulling it first"}',
  'gemini/gemini-1.5-pro': '{"error":{"code":429,"message":"Resource has been exhausted (e.g. check quota).","status":"RESOURCE_EXHAUSTED"}}',
  'hosted_vllm/qwen': '{"object":"error","message":"The model `qwen` does not exist.","type":"NotFoundError","param":null,"code":404}'
}

const CASES = [
  { name: 'LiteLLM, unknown model (#27030)', model: REPORT_MODEL, expected: 404 },
  { name: 'LiteLLM, known model', model: KNOWN_MODEL, expected: 200 },
  { name: 'Ollama, model not pulled', model: 'ollama/llama2', expected: 404 },
  { name: 'Gemini, quota exhausted', model: 'gemini/gemini-1.5-pro', expected: 429 },
  { name: 'vLLM, flat error object', model: 'hosted_vllm/qwen', expected: 404 }
]

function completion (model) {
  return JSON.stringify({
    id: 'chatcmpl-demo',
    object: 'chat.completion',
    created: 1767225600,
    model,
    choices: [{ index: 0, message: { role: 'assistant', content: 'Hello! How can I help?' }, finish_reason: 'stop' }],
    usage: { prompt_tokens: 8, completion_tokens: 7, total_tokens: 15 }
  })
}

/** The LiteLLM-like upstream: plain node:http, so nothing of the plugin touches its answers. */
async function startUpstream () {
  const server = http.createServer((req, res) => {
    let raw = ''
    req.setEncoding('utf8')
    req.on('data', (chunk) => { raw += chunk })
    req.on('end', () => {
      // LiteLLM serves both /chat/completions and /v1/chat/completions.
      if (req.method !== 'POST' || !/^\/(?:v1\/)?chat\/completions$/.test(req.url)) {
        res.writeHead(404, { 'content-type': 'application/json' })
        return res.end('{"detail":"Not Found"}')
      }
      let model
      try {
        model = JSON.parse(raw).model
      } catch {}
      const body = model === KNOWN_MODEL ? completion(model) : (IN_BAND_ERRORS[model] ?? IN_BAND_ERRORS[REPORT_MODEL])
      res.writeHead(200, { 'content-type': 'application/json' })
      res.end(body)
    })
  })
  await new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', resolve)
  })
  return { server, url: `http://127.0.0.1:${server.address().port}` }
}

/** Starts the upstream and the gateway; `close()` stops both. */
async function startDemo () {
  const upstream = await startUpstream()
  let gateway
  try {
    gateway = await build({ upstreamUrl: upstream.url, timeoutMs: 10_000 })
    await gateway.listen({ port: 0, host: '127.0.0.1' })
  } catch (err) {
    upstream.server.close()
    throw err
  }
  const { port } = gateway.server.address()
  return {
    upstreamUrl: upstream.url,
    gatewayUrl: `http://127.0.0.1:${port}`,
    async close () {
      await gateway.close()
      upstream.server.closeAllConnections()
      await new Promise((resolve) => upstream.server.close(resolve))
    }
  }
}

async function post (url, model) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer sk-1234' },
    body: JSON.stringify({ model, messages: [{ role: 'user', content: 'hi' }] })
  })
  return { status: res.status, contentType: res.headers.get('content-type'), body: await res.text() }
}

/**
 * Runs every case against the upstream directly and through the gateway, then closes both.
 * Each row: { name, model, expected, direct, gateway, rule, ok }; `direct` and `gateway` are
 * { status, contentType, body }; `ok` means the gateway answered `expected` with the upstream's bytes.
 */
async function runDemo () {
  const demo = await startDemo()
  try {
    const rows = []
    for (const { name, model, expected } of CASES) {
      const direct = await post(`${demo.upstreamUrl}/chat/completions`, model)
      const gateway = await post(`${demo.gatewayUrl}/v1/chat/completions`, model)
      const rule = classify(direct.body)?.rule ?? null
      const ok = gateway.status === expected && gateway.body === direct.body
      rows.push({ name, model, expected, direct, gateway, rule, ok })
    }
    return rows
  } finally {
    await demo.close()
  }
}

function print (rows) {
  const pad = (value, width) => String(value).padEnd(width)
  const lines = [
    'fastify-openai-errors demo: the same request straight to a LiteLLM-like upstream, then through the gateway',
    '',
    `  ${pad('case', 33)}${pad('model', 31)}direct  gateway  decided by`
  ]
  for (const row of rows) {
    lines.push(`  ${pad(row.name, 33)}${pad(row.model, 31)}${pad(row.direct.status, 8)}${pad(row.gateway.status, 9)}${row.rule ?? '(not an error)'}${row.ok ? '' : '  <- WRONG'}`)
  }
  const report = rows.find((row) => row.model === REPORT_MODEL)
  if (report !== undefined) {
    lines.push(
      '',
      `The report's request: POST /chat/completions {"model":"${REPORT_MODEL}","messages":[{"role":"user","content":"hi"}]}`,
      `  upstream: ${report.direct.status} ${report.direct.body}`,
      `  gateway:  ${report.gateway.status} ${report.gateway.body}`,
      report.gateway.status === report.direct.status
        ? '  Same status: a client that checks only the status takes this error for a success.'
        : report.gateway.body === report.direct.body
          ? '  Same bytes, new status: clients that check only the status now see the error.'
          : '  New status, and the gateway rewrote the body.'
    )
  }
  const failed = rows.filter((row) => !row.ok)
  lines.push('', failed.length === 0
    ? `OK: all ${rows.length} cases answered with the expected status.`
    : `FAILED: ${failed.map((row) => `${row.name} answered ${row.gateway.status}, expected ${row.expected}`).join('; ')}`)
  console.log(lines.join('\n'))
  return failed.length === 0
}

module.exports = { runDemo, startDemo, startUpstream, CASES, IN_BAND_ERRORS, KNOWN_MODEL, REPORT_MODEL }

if (require.main === module) {
  runDemo().then((rows) => {
    process.exitCode = print(rows) ? 0 : 1
  }, (err) => {
    console.error(err)
    process.exitCode = 1
  })
}
