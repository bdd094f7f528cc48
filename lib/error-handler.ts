import type { FastifyReply, FastifyRequest } from 'fastify'
import { JSON_CONTENT_TYPE, openaiErrorBody } from './body'
import { kBuiltByPlugin } from './symbols'
import { describeThrown } from './thrown'

// `error` is unknown, as in Fastify's own setErrorHandler types: anything can be thrown, and a user's handler can
// delegate whatever it got without a cast.
export type ErrorHandler = (this: unknown, error: unknown, request: FastifyRequest, reply: FastifyReply) => void

/**
 * An error handler that answers every thrown error with an OpenAI-shaped body and the status that matches it.
 * Exported so users can call it from their own handler. On a route with `config: { openaiErrors: false }` it
 * rethrows, handing the error to Fastify's parent handler.
 */
export function createErrorHandler (): ErrorHandler {
  return function openaiErrorHandler (error, request, reply) {
    // Read from the route config, not from the per-route settings: those are set by a route-level onRequest
    // hook, and an error thrown by an application-wide onRequest hook arrives before it has run.
    if ((request.routeOptions.config as { openaiErrors?: unknown }).openaiErrors === false) throw error
    const decision = describeThrown(error)
    if (decision.status >= 500) {
      reply.log.error({ err: error, statusCode: decision.status }, 'request failed')
    } else {
      reply.log.info({ err: error, statusCode: decision.status }, 'request rejected')
    }
    if (decision.headers !== null) reply.headers(decision.headers)
    ;(reply as unknown as Record<symbol, boolean>)[kBuiltByPlugin] = true
    reply.code(decision.status).header('content-type', JSON_CONTENT_TYPE).send(openaiErrorBody(decision))
  }
}
