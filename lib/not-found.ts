import type { FastifyReply, FastifyRequest } from 'fastify'
import { JSON_CONTENT_TYPE } from './body'
import { errorBody } from './dialect'
import type { Settings } from './options'
import { notify } from './respond'
import { kBuiltByPlugin } from './symbols'

const MAX_URL_CHARS = 200

/** Unknown routes answer like OpenAI does: 404 `invalid_request_error`, code `unknown_url` (Anthropic's shape on `/v1/messages`). */
export function notFoundHandlerFor (settings: Settings): (request: FastifyRequest, reply: FastifyReply) => void {
  return function openaiNotFoundHandler (request, reply) {
    const url = request.url.length > MAX_URL_CHARS ? request.url.slice(0, MAX_URL_CHARS) + '...' : request.url
    const fields = { message: `Invalid URL (${request.method} ${url})`, type: 'invalid_request_error', param: null, code: 'unknown_url' }
    notify(settings, request, 'not-found', null, { ...fields, status: 404, rule: 'not-found', retryable: null, retryAfterMs: null, provider: null })
    ;(reply as unknown as Record<symbol, boolean>)[kBuiltByPlugin] = true
    reply.code(404).header('content-type', JSON_CONTENT_TYPE).send(errorBody(settings.dialect, request.url, 404, fields))
  }
}
