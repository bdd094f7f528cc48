// An ES-module consumer (.mts under nodenext) of the CommonJS package: the default import is the plugin, the
// named imports are its functions and types.
import Fastify from 'fastify'
import type { FastifyPluginCallback } from 'fastify'
import plugin, {
  fastifyOpenaiErrors, classify, classifyEnvelope, findEnvelope, defaultRules, createErrorHandler, describeThrown, openaiError,
  type ClassifyOptions, type Decision, type Envelope, type FastifyOpenaiErrorsOptions, type FastifyOpenaiErrorsRouteOptions,
  type OpenaiHttpError, type Rule, type ThrownDecision, type DefaultRule, type Extractor, type Explanation, providers, explain
} from 'fastify-openai-errors'
import * as namespace from 'fastify-openai-errors'
import type { HttpError } from 'http-errors'
import { runConformance, type ConformanceResult } from 'fastify-openai-errors/conformance'
import { createMetrics, type Metrics } from 'fastify-openai-errors/metrics'
import { createNormalizer, normalizeResponse, type FetchNormalizeOptions, type Normalizer } from 'fastify-openai-errors/fetch'
import { openaiErrors as honoOpenaiErrors } from 'fastify-openai-errors/hono'
import type { MiddlewareHandler } from 'hono'

// True only when A and B are the same type; `any` is equal to nothing else.
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends (<T>() => T extends B ? 1 : 2) ? true : false
const same = <A, B>(value: Equal<A, B>): Equal<A, B> => value

type Plugin = FastifyPluginCallback<FastifyOpenaiErrorsOptions>
same<Parameters<typeof plugin>, Parameters<Plugin>>(true)
same<typeof plugin, any>(false)
same<typeof plugin.default, Plugin>(true)
same<typeof fastifyOpenaiErrors, Plugin>(true)
same<typeof namespace.default, typeof plugin>(true)
same<typeof defaultRules, readonly DefaultRule[]>(true)
same<typeof providers, readonly string[]>(true)
// Every default rule has a name, so filtering on it type-checks under strict.
const withoutGeneric: Rule[] = defaultRules.filter((rule) => !rule.name.startsWith('any.') && rule.provider !== 'generic')
void withoutGeneric

const rules: Rule[] = [
  { name: 'gateway.quota', message: /quota exceeded/i, status: 429, errorType: 'insufficient_quota', errorCode: 'insufficient_quota' },
  { type: ['overloaded_error', /^overload/], status: 529 },
  { code: [404, 'not_found'], hint: 'NOT_FOUND', status: 404 },
  { when: (envelope: Envelope) => envelope.shape === 'google' && envelope.hint === 503, status: 503 }
]
const options: FastifyOpenaiErrorsOptions = {
  rules,
  defaultRules: true,
  fallbackStatus: 500,
  maxMessageChars: 1024,
  maxBodyBytes: 65536,
  rewriteBody: false,
  correctErrorStatus: false,
  errorHandler: true,
  notFoundHandler: true,
  provider: (request) => (request.headers['x-upstream'] === 'groq' ? 'groq' : undefined)
}
const extractor: Extractor = { name: 'acme', marks: ['acme_fault'], extract: (body) => (body.acme_fault === undefined ? null : { message: 'x', status: 429 }) }
const leaving: FastifyOpenaiErrorsOptions = { fallbackStatus: 'leave', provider: 'openai', extractors: [extractor], rules: [{ message: 'x', status: 400, weight: 60 }] }
void leaving
const explanation: Explanation = explain('{}', { provider: 'groq' })
void explanation.evidence[0]?.weight

const app = Fastify()
await app.register(plugin, options)
await app.register(plugin, { rules: [...defaultRules], defaultRules: false, logLevel: 'warn' })
await app.register(plugin, () => ({ rewriteBody: true }))

const routeOptions: FastifyOpenaiErrorsRouteOptions = { rewriteBody: true, correctErrorStatus: true, rules: [{ message: 'busy', status: 503 }] }
app.get('/v1/models', { config: { openaiErrors: routeOptions } }, async () => ({ object: 'list', data: [] }))
app.route({ method: 'POST', url: '/v1/chat/completions', config: { openaiErrors: false }, handler: async () => ({ id: 'x' }) })
app.get('/v1/files', { config: { openaiErrors: true } }, async () => ({ object: 'list', data: [] }))
app.get('/v1/whoami', async (request) => {
  const config = request.routeOptions.config.openaiErrors
  same<typeof config, boolean | FastifyOpenaiErrorsRouteOptions | undefined>(true)
  throw openaiError(401, 'Incorrect API key provided.')
})

const classifyOptions: ClassifyOptions = { rules, defaultRules: false, fallbackStatus: 502, maxMessageChars: 64 }
const fromText: Decision | null = classify('{"error":{"message":"No models available"}}', classifyOptions)
const fromBuffer: Decision | null = classify(Buffer.from('{}'))
void fromText
void fromBuffer

const envelope = findEnvelope({ error: { message: 'Overloaded', type: 'overloaded_error' } })
same<typeof envelope, Envelope | null>(true)
if (envelope !== null) {
  const decision = classifyEnvelope(envelope)
  const withOptions: Decision | null = classifyEnvelope(envelope, { provider: 'anthropic', fallbackStatus: 'leave' })
  void withOptions
  same<typeof decision, Decision | null>(true)
}

const thrown = describeThrown(new Error('boom'))
same<typeof thrown, ThrownDecision>(true)

const error = openaiError(503, { message: 'Try later', type: 'server_error', code: null, param: null, expose: true })
same<typeof error, OpenaiHttpError>(true)
const asHttpError: HttpError = error
const openai: { type: string, code: string | null, param: string | null } = error.openai
void asHttpError
void openai

app.setErrorHandler(createErrorHandler())

// The conformance kit's subpath, as an ES-module user imports it.
const conformance: Promise<ConformanceResult> = runConformance({ upstreamPort: 4000, gateway: 'http://127.0.0.1:3000', all: true, sdk: false })
void conformance

// The Fetch adapter's and the Hono middleware's subpaths, as an ES-module user imports them.
const fetchOptions: FetchNormalizeOptions = { provider: 'openai', maxBodyBytes: 65536, sse: false, upstreamStatusHeader: 'x-upstream-status', onNormalize: (event) => { void event.status } }
const normalizer: Normalizer = createNormalizer(fetchOptions)
const fromFetch: Response = await normalizer(new Response('{}'), new Request('http://127.0.0.1/v1/models'))
const once: Promise<Response> = normalizeResponse(fromFetch)
same<ReturnType<typeof honoOpenaiErrors>, MiddlewareHandler>(true)
void once

// The metrics helper's subpath, as an ES-module user imports it.
const counted: Metrics = createMetrics({ name: 'decisions_total' })
void counted.onNormalize
