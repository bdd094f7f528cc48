import type { FastifyReply, FastifyRequest, onSendHookHandler } from 'fastify'
import { classify } from './classify'
import { JSON_CONTENT_TYPE, openaiErrorBody } from './body'
import { isJsonContentType, mayBeErrorBytes, mayBeErrorText } from './payload'
import type { Settings } from './options'
import { kBuiltByPlugin, kRouteSettings } from './symbols'

type Decorated = FastifyRequest & { [kRouteSettings]: Settings | null }
type DecoratedReply = FastifyReply & { [kBuiltByPlugin]: boolean }

/** The status and body a response should leave with, or null to send it as it is. Never throws. */
export function inspectResponse (settings: Settings, status: number, contentType: unknown, payload: unknown): { status: number, body: string | null } | null {
  const isSuccess = status >= 200 && status < 300
  if (!isSuccess && !(settings.correctErrorStatus && status >= 400 && status < 600)) return null
  if (!isJsonContentType(contentType)) return null
  if (typeof payload === 'string') {
    if (payload.length > settings.maxBodyBytes || !mayBeErrorText(payload)) return null
  } else if (Buffer.isBuffer(payload)) {
    if (payload.length > settings.maxBodyBytes || !mayBeErrorBytes(payload)) return null
  } else {
    return null
  }
  let decision
  try {
    decision = classify(payload, settings.table)
  } catch {
    return null // a user rule threw: the response goes out as it came
  }
  if (decision === null || decision.status === status) return null
  // An error status is only corrected when the table knows better than a guess.
  if (!isSuccess && decision.rule === 'fallback') return null
  return { status: decision.status, body: settings.rewriteBody ? openaiErrorBody(decision) : null }
}

export function createOnSend (pluginSettings: Settings): onSendHookHandler {
  return function openaiErrorsOnSend (request, reply, payload, done) {
    const settings = (request as Decorated)[kRouteSettings] ?? pluginSettings
    if (!settings.enabled || (reply as DecoratedReply)[kBuiltByPlugin]) return done(null, payload)
    const outcome = inspectResponse(settings, reply.statusCode, reply.getHeader('content-type'), payload)
    if (outcome === null) return done(null, payload)
    reply.code(outcome.status)
    if (outcome.body === null) return done(null, payload)
    reply.header('content-type', JSON_CONTENT_TYPE)
    done(null, outcome.body)
  }
}
