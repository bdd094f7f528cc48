'use strict'

// The conformance kit as a step of your own CI: build your gateway with its upstream URL on the kit's port, listen,
// run every default case through it (real provider errors from the corpus, answered with their own status, with
// 200, gzipped, as SSE error-first and mid-stream, and successes with error-ish fields), print the table and exit
// 1 when a case is wrong. Here the gateway is proxy-gateway.js; put your own build() in its place.
//
//   node examples/conformance-check.js              # the default cases (59, about 1 s)
//   CONFORMANCE_ALL=1 node examples/conformance-check.js    # all 1,500
//
// The same from the command line, against a gateway already running: docs/conformance.md.

const { createServer } = require('node:net')
const { runConformance, renderTable } = require('fastify-openai-errors/conformance')
const gateway = require('./proxy-gateway')

/** A port nothing listens on now: the kit's fake upstream takes it once the gateway points there. */
function freePort () {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address()
      server.close(() => resolve(port))
    })
  })
}

/**
 * Build a gateway pointed at the kit's upstream, run the kit through it, close it. Resolves with the kit's result
 * (`{ pass, cases, failed }`).
 * @param {object} [opts]
 * @param {(upstreamUrl: string) => Promise<import('fastify').FastifyInstance>} [opts.build] your gateway; proxy-gateway.js's by default
 * @param {boolean} [opts.all] every case, not only the default ones
 */
async function check (opts = {}) {
  const build = opts.build ?? ((upstreamUrl) => gateway.build({ upstreamUrl }))
  const upstreamPort = await freePort()
  const app = await build(`http://127.0.0.1:${upstreamPort}/v1`)
  const address = await app.listen({ port: 0, host: '127.0.0.1' })
  try {
    return await runConformance({ upstreamPort, gateway: address, all: opts.all === true })
  } finally {
    await app.close()
  }
}

module.exports = { check }

if (require.main === module) {
  check({ all: process.env.CONFORMANCE_ALL === '1' }).then((result) => {
    console.log(renderTable(result))
    process.exitCode = result.pass ? 0 : 1
  }, (err) => {
    console.error(err)
    process.exitCode = 2
  })
}
