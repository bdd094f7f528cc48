import type { FastifyReply, FastifyRequest } from 'fastify'
import { JSON_CONTENT_TYPE } from '../output/body'
import { errorBody } from '../output/dialect'
import type { Settings } from '../settings/options'
import { notify } from './respond'

const MAX_URL_CHARS = 200
const FASTIFY_NOT_FOUND_HEAD = '{"message":"Route '

/**
 * Whether a 404 payload is the one Fastify's own not-found handler sends (`basic404` in fastify/lib/four-oh-four.js),
 * byte for byte: then the app set no not-found handler of its own and the answer is ours to give.
 */
export function isFastifyNotFound (request: FastifyRequest, payload: unknown): boolean {
  if (typeof payload !== 'string' || !payload.startsWith(FASTIFY_NOT_FOUND_HEAD)) return false
  const { method, url } = request.raw
  return payload === JSON.stringify({ message: `Route ${String(method)}:${String(url)} not found`, error: 'Not Found', statusCode: 404 })
}

/** Unknown routes answer like OpenAI does: 404 `invalid_request_error`, code `unknown_url` (Anthropic's shape on `/v1/messages`). */
export function answerNotFound (settings: Settings, request: FastifyRequest, reply: FastifyReply): string {
  const url = request.url.length > MAX_URL_CHARS ? request.url.slice(0, MAX_URL_CHARS) + '...' : request.url
  const fields = { message: `Invalid URL (${request.method} ${url})`, type: 'invalid_request_error', param: null, code: 'unknown_url' }
  notify(settings, request, 'not-found', null, { ...fields, status: 404, rule: 'not-found', retryable: null, retryAfterMs: null, provider: null })
  reply.header('content-type', JSON_CONTENT_TYPE)
  return errorBody(settings.dialect, request.url, 404, fields)
}
