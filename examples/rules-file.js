'use strict'

// Rules kept as data. The gateway from basic-gateway.js, with the rules of a YAML (or JSON) file: rules.yaml next to
// this file, or the one RULES_FILE names. loadRules() reads and checks the file once, at startup; the rules then run
// before the default table, as rules in code do (custom-rules.js).
//
//   UPSTREAM_URL=http://localhost:4000 node examples/rules-file.js
//   RULES_FILE=./my-rules.yaml UPSTREAM_URL=http://localhost:4000 node examples/rules-file.js
//   npx fastify-openai-errors check examples/rules.yaml     # the same check, in CI
//
// A file that is wrong stops the gateway before it listens, exit code 1, with the file, the rule's index and the
// field (FST_OPENAI_ERRORS_INVALID_RULES_FILE):
//
//   fastify-openai-errors: ./my-rules.yaml: rules[1].status: must be an integer from 400 to 599, got 700

const path = require('node:path')
const { loadRules } = require('fastify-openai-errors')
const gateway = require('./basic-gateway')

/**
 * The gateway with the file's rules; takes basic-gateway's options, and `opts.rulesFile`. Rejects when the file
 * cannot be read or is not valid.
 * @param {object} [opts]
 * @param {string} [opts.rulesFile] defaults to RULES_FILE, then examples/rules.yaml; a relative path is read from
 *   the current directory
 */
async function build (opts = {}) {
  const rulesFile = opts.rulesFile ?? process.env.RULES_FILE ?? path.join(__dirname, 'rules.yaml')
  const rules = loadRules(rulesFile)
  const app = await gateway.build({ ...opts, openaiErrors: { rules, ...opts.openaiErrors } })
  app.log.info({ rulesFile, rules: rules.map((rule) => rule.name) }, 'rules loaded')
  return app
}

module.exports = { build }

if (require.main === module) {
  build({ logger: true }).then(async (app) => {
    const address = await app.listen({ port: Number(process.env.PORT ?? 3000), host: process.env.HOST ?? '127.0.0.1' })
    console.log(`gateway listening on ${address}, forwarding to ${process.env.UPSTREAM_URL ?? 'http://127.0.0.1:4000'}`)
  }, (err) => {
    console.error(err)
    process.exitCode = 1
  })
}
