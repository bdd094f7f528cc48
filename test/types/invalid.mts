// Usages the types must reject. Each line after `@ts-expect-error` has to be a type error: if it compiles, the
// directive is unused and tsc fails.
import Fastify, { type RouteShorthandOptions } from 'fastify'
import plugin, { classify, openaiError, type Decision, type Rule } from 'fastify-openai-errors'

const app = Fastify()
const handler = async () => ({})

// @ts-expect-error an unknown option
app.register(plugin, { rewriteBodies: true })
// @ts-expect-error a status given as a string
app.register(plugin, { fallbackStatus: '500' })
// @ts-expect-error a boolean option given as a string
app.register(plugin, { rewriteBody: 'yes' })
// @ts-expect-error rules must be a list
app.register(plugin, { rules: { message: 'quota', status: 429 } })
// @ts-expect-error a rule without a status
app.register(plugin, { rules: [{ name: 'no-status', message: 'quota' }] })
// @ts-expect-error a rule field that does not exist
app.register(plugin, { rules: [{ message: 'quota', status: 429, errortype: 'rate_limit_error' }] })
// @ts-expect-error a code matcher must be text or a number
app.register(plugin, { rules: [{ code: true, status: 404 }] })
// @ts-expect-error `when` receives an envelope and must return a boolean
app.register(plugin, { rules: [{ when: (envelope: { statusCode: number }) => envelope.statusCode === 404, status: 404 }] })

// Route options written inline in `app.get(path, { config }, handler)` are also inferred by Fastify as the route's
// own ContextConfig type, which is intersected with ours: a wrong type inside the object is still caught there, a
// wrong type for the whole value or an extra key is not (the plugin rejects those when the route is added).
// @ts-expect-error a route option with the wrong type
app.get('/a', { config: { openaiErrors: { maxBodyBytes: '64kb' } } }, handler)
// @ts-expect-error route config is a boolean or an object, not a string
const yes: RouteShorthandOptions = { config: { openaiErrors: 'yes' } }
// @ts-expect-error the error and not-found handlers are plugin-wide, not per route
const handlers: RouteShorthandOptions = { config: { openaiErrors: { errorHandler: false } } }
app.get('/b', yes, handler)
app.get('/d', handlers, handler)

// @ts-expect-error classify takes rule-table options only
classify('{}', { rewriteBody: true })
// @ts-expect-error classify answers null for a body that is not an error
const decision: Decision = classify('{}')
// @ts-expect-error openaiError needs a message or fields
openaiError(404)
// @ts-expect-error the status is a number
openaiError('404', 'No such model')
// @ts-expect-error the fields need a message
openaiError(404, { code: 'model_not_found' })

// @ts-expect-error a Rule needs a status
const rule: Rule = { message: 'quota' }
void decision
void rule

// @ts-expect-error fallbackStatus is a status or 'leave'
app.register(plugin, { fallbackStatus: 'keep' })
// @ts-expect-error an extractor needs marks
app.register(plugin, { extractors: [{ name: 'x', extract: () => null }] })
