// A CommonJS consumer (.cts under nodenext): every way a CommonJS user imports the plugin types as the plugin.
import Fastify, { type FastifyError, type FastifyPluginCallback } from 'fastify'
import plugin from 'fastify-openai-errors'
import pluginRequired = require('fastify-openai-errors')
import { fastifyOpenaiErrors, classify, openaiError, createErrorHandler, type FastifyOpenaiErrorsOptions } from 'fastify-openai-errors'
import type { HttpError } from 'http-errors'
import conformance = require('fastify-openai-errors/conformance')
import metrics = require('fastify-openai-errors/metrics')
import fetchAdapter = require('fastify-openai-errors/fetch')
import honoMiddleware = require('fastify-openai-errors/hono')
import type { MiddlewareHandler } from 'hono'

// True only when A and B are the same type; `any` is equal to nothing else.
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends (<T>() => T extends B ? 1 : 2) ? true : false
const same = <A, B>(value: Equal<A, B>): Equal<A, B> => value

type Plugin = FastifyPluginCallback<FastifyOpenaiErrorsOptions>
// A CommonJS default import reads `.default`; `import = require` gets the module itself, which is also callable.
same<typeof plugin, Plugin>(true)
same<typeof plugin, any>(false)
same<typeof fastifyOpenaiErrors, Plugin>(true)
same<typeof pluginRequired.default, Plugin>(true)
same<Parameters<typeof pluginRequired>, Parameters<Plugin>>(true)
same<ReturnType<typeof pluginRequired>, ReturnType<Plugin>>(true)

const app = Fastify()
app.register(plugin, { rewriteBody: true, fallbackStatus: 502 })
app.register(pluginRequired)
app.register(fastifyOpenaiErrors, { errorHandler: false, notFoundHandler: false, prefix: '/v1' })

app.get('/models', { config: { openaiErrors: { rules: [{ code: 'no_model', status: 404 }] } } }, async () => ({ data: [] }))
app.get('/raw', { config: { openaiErrors: false } }, async () => ({ ok: true }))

const decision = classify({ error: { message: 'No models available', type: 'invalid_request_error' } })
same<typeof decision, pluginRequired.Decision | null>(true)
if (decision !== null) {
  const status: number = decision.status
  const rule: string = decision.rule
  void status
  void rule
}

const notFound: HttpError = openaiError(404, { message: 'No such model', code: 'model_not_found' })
void notFound

const handler = createErrorHandler()
app.setErrorHandler(handler)
app.setErrorHandler(function (error: FastifyError, request, reply) {
  if (error.statusCode === 418) return reply.code(418).send('teapot')
  handler.call(this, error, request, reply)
})

// The conformance kit's subpath, as a CommonJS user requires it.
const run: Promise<conformance.ConformanceResult> = conformance.runConformance({ upstreamPort: 4000, gateway: 'http://127.0.0.1:3000', only: ['200:clouds#3'] })
void run

// The Fetch adapter's and the Hono middleware's subpaths, as a CommonJS user requires them.
const normalize: fetchAdapter.Normalizer = fetchAdapter.createNormalizer({ provider: (response, request) => (request?.url.includes('/anthropic/') === true || response.status === 529 ? 'anthropic' : null), sse: { peekBytes: 4096 } })
const normalized: Promise<Response> = fetchAdapter.normalizeResponse(new Response('{}'), { rewriteBody: true }, new Request('http://127.0.0.1/v1/models'))
same<ReturnType<typeof honoMiddleware.openaiErrors>, MiddlewareHandler>(true)
void normalize
void normalized

// The metrics helper's subpath: a counter in the host's prom-client registry, fed by onNormalize.
const counted: metrics.Metrics = metrics.createMetrics({ prefix: 'gateway_' })
void Fastify().register(plugin, { onNormalize: counted.onNormalize })
