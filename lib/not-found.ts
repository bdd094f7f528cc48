import type { FastifyReply, FastifyRequest } from 'fastify'
import { JSON_CONTENT_TYPE, openaiErrorBody } from './body'
import { kBuiltByPlugin } from './symbols'

const MAX_URL_CHARS = 200

/** Unknown routes answer like OpenAI does: 404 `invalid_request_error`, code `unknown_url`. */
export function notFoundHandler (request: FastifyRequest, reply: FastifyReply): void {
  const url = request.url.length > MAX_URL_CHARS ? request.url.slice(0, MAX_URL_CHARS) + '...' : request.url
  ;(reply as unknown as Record<symbol, boolean>)[kBuiltByPlugin] = true
  reply.code(404).header('content-type', JSON_CONTENT_TYPE).send(openaiErrorBody({
    message: `Invalid URL (${request.method} ${url})`,
    type: 'invalid_request_error',
    param: null,
    code: 'unknown_url'
  }))
}
