import type { FastifyReply, FastifyRequest, onSendHookHandler } from 'fastify'
import { JSON_CONTENT_TYPE } from './body'
import { inspectResponse } from './inspect'
import { inspectStream } from './stream-hook'
import { isStream } from './stream'
import type { Settings } from './options'
import { kBuiltByPlugin, kRouteSettings } from './symbols'

type Decorated = FastifyRequest & { [kRouteSettings]: Settings | null }
type DecoratedReply = FastifyReply & { [kBuiltByPlugin]: boolean }

export function createOnSend (pluginSettings: Settings): onSendHookHandler {
  return function openaiErrorsOnSend (request, reply, payload, done) {
    const settings = (request as Decorated)[kRouteSettings] ?? pluginSettings
    if (!settings.enabled || (reply as DecoratedReply)[kBuiltByPlugin]) return done(null, payload)
    if (isStream(payload)) {
      // A locked web stream is Fastify's to refuse, synchronously, as it would without us.
      if (!settings.inspectStreams || (payload as ReadableStream).locked === true) return done(null, payload)
      // inspectStream never rejects: whatever goes wrong, it hands back a stream with every byte.
      void inspectStream(settings, request, reply, payload).then((sent) => done(null, sent))
      return
    }
    const outcome = inspectResponse(settings, reply.statusCode, reply.getHeader('content-type'), payload)
    if (outcome === null) return done(null, payload)
    reply.code(outcome.status)
    if (outcome.body === null) return done(null, payload)
    reply.header('content-type', JSON_CONTENT_TYPE)
    done(null, outcome.body)
  }
}
