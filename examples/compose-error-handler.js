'use strict'

// Your own error handler, with the plugin's behind it. The handler answers its own error class its own way
// and hands everything else to createErrorHandler(): validation errors, openaiError(...), SDK and
// connection errors, and plain bugs (a 500 that does not leak the message).
//
//   node examples/compose-error-handler.js
//   curl -i localhost:3000/v1/chat/completions -H 'content-type: application/json' -H 'x-team: acme' \
//     -d '{"model":"small","messages":[{"role":"user","content":"hi"}]}'

const Fastify = require('fastify')
const openaiErrors = require('fastify-openai-errors')
const { createErrorHandler, openaiError } = openaiErrors

/** This application's own error: a team that spent its monthly budget. */
class BudgetExceededError extends Error {
  constructor (team) {
    super(`Team ${team} has used its monthly budget.`)
    this.name = 'BudgetExceededError'
    this.team = team
  }
}

const MODELS = new Set(['small', 'large', 'broken'])

const chatSchema = {
  body: {
    type: 'object',
    required: ['model', 'messages'],
    properties: {
      model: { type: 'string' },
      messages: {
        type: 'array',
        items: {
          type: 'object',
          required: ['role', 'content'],
          properties: { role: { type: 'string', enum: ['system', 'user', 'assistant'] }, content: { type: 'string' } }
        }
      }
    }
  }
}

/**
 * @param {object} [opts]
 * @param {string[]} [opts.exhaustedTeams] teams (the `x-team` header) whose budget is spent; default ['acme']
 * @param {boolean|object} [opts.logger]
 */
async function build (opts = {}) {
  const exhausted = new Set(opts.exhaustedTeams ?? ['acme'])
  const app = Fastify({ logger: opts.logger ?? false })

  // errorHandler: false leaves the error handler to us; the onSend hook and the not-found handler stay.
  await app.register(openaiErrors, { errorHandler: false })

  const openaiErrorHandler = createErrorHandler()
  app.setErrorHandler(function (error, request, reply) {
    if (error instanceof BudgetExceededError) {
      // A 4xx the route chose on purpose: the onSend hook leaves error statuses alone
      // (unless correctErrorStatus is on, and then only when a rule disagrees).
      return reply.code(402).header('x-budget-team', error.team).send({
        error: { message: error.message, type: 'insufficient_quota', param: null, code: 'budget_exceeded' }
      })
    }
    return openaiErrorHandler.call(this, error, request, reply)
  })

  app.post('/v1/chat/completions', { schema: chatSchema }, async (request) => {
    const team = request.headers['x-team']
    if (typeof team === 'string' && exhausted.has(team)) throw new BudgetExceededError(team)
    const { model } = request.body
    if (!MODELS.has(model)) {
      // 404 with the OpenAI body {"error":{"message","type":"invalid_request_error","param":"model","code":"model_not_found"}}
      throw openaiError(404, { message: `The model \`${model}\` does not exist or you do not have access to it.`, param: 'model', code: 'model_not_found' })
    }
    // A bug: the client gets a 500 with a generic message, the log gets the error.
    if (model === 'broken') throw new Error('connection pool exhausted on db-internal-7:5432')
    return {
      id: 'chatcmpl-compose',
      object: 'chat.completion',
      created: 1767225600,
      model,
      choices: [{ index: 0, message: { role: 'assistant', content: 'Hi!' }, finish_reason: 'stop' }]
    }
  })
  return app
}

module.exports = { build, BudgetExceededError }

if (require.main === module) {
  build({ logger: true }).then((app) => app.listen({ port: Number(process.env.PORT ?? 3000), host: process.env.HOST ?? '127.0.0.1' }))
    .then((address) => console.log(`listening on ${address}`), (err) => {
      console.error(err)
      process.exitCode = 1
    })
}
