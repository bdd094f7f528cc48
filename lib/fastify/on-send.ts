import type { FastifyReply, FastifyRequest, onSendHookHandler } from 'fastify'
import { settingsOf } from './route-settings'
import { JSON_CONTENT_TYPE } from '../output/body'
import { errorBody } from '../output/dialect'
import { applyToResponse } from './respond'
import { inspectResponse, type ParsedBody } from '../core/inspect'
import { bufferedRecordAnswer, inspectStream, streamReading } from './stream-hook'
import { isStream } from '../stream/peek'
import type { Settings } from '../settings/options'
import { kBuiltByPlugin } from './symbols'
import { answerThrown, isFastifyErrorAnswer, thrownOf } from './error-handler'
import { answerNotFound, isFastifyNotFound } from './not-found'

type DecoratedReply = FastifyReply & { [kBuiltByPlugin]: boolean }
type LateSettings = (request: FastifyRequest) => Settings | null

/** Which of Fastify's own error answers the plugin gives in its place (options `errorHandler`, `notFoundHandler`). */
export interface Takeovers {
  thrown: boolean
  notFound: boolean
}

/**
 * The plugin's answer in place of Fastify's own, for an error status: a thrown error that Fastify's default error
 * handler answered, or Fastify's default 404. Null when the app answered itself (or the plugin only reports).
 */
function fastifyDefaultAnswer (takeovers: Takeovers, settings: Settings, lateSettings: LateSettings, own: Settings | null, request: FastifyRequest, reply: FastifyReply, payload: unknown): string | null {
  const thrown = takeovers.thrown ? thrownOf(reply) : null
  if (thrown !== null) {
    if (!isFastifyErrorAnswer(thrown.error, reply.statusCode, payload)) return null
    // An error from an application-wide onRequest hook comes before the route's own hook set its settings.
    return answerThrown(own ?? lateSettings(request) ?? settings, thrown.error, request, reply)
  }
  if (takeovers.notFound && reply.statusCode === 404 && !settings.reportOnly && isFastifyNotFound(request, payload)) {
    return answerNotFound(settings, request, reply)
  }
  return null
}

export function createOnSend (pluginSettings: Settings, lateSettings: LateSettings, takeovers: Takeovers): onSendHookHandler {
  return function openaiErrorsOnSend (request, reply, payload, done) {
    const own = settingsOf(request)
    let settings = own ?? pluginSettings
    if (!settings.enabled || (reply as DecoratedReply)[kBuiltByPlugin]) return done(null, payload)
    if (isStream(payload)) {
      if (own === null) settings = lateSettings(request) ?? settings
      // A locked web stream is Fastify's to refuse, synchronously, as it would without us.
      if (!settings.enabled || !settings.inspectStreams || (payload as ReadableStream).locked === true) return done(null, payload)
      const reading = streamReading(settings, request, reply)
      if (reading === null) return done(null, payload)
      // inspectStream never rejects: whatever goes wrong, it hands back a stream with every byte.
      void inspectStream(settings, request, reply, payload, reading).then((sent) => done(null, sent))
      return
    }
    if (reply.statusCode >= 400) {
      const answer = fastifyDefaultAnswer(takeovers, settings, lateSettings, own, request, reply, payload)
      if (answer !== null) return done(null, answer)
    }
    const parsed: ParsedBody = {}
    let decision = inspectResponse(settings, reply.statusCode, reply.getHeader('content-type'), payload, request.log, () => settings.tableFor(request), parsed)
    if (decision === null) {
      // A whole event stream or NDJSON body (a gateway that buffered its upstream's answer): its first record.
      const contentType = reply.getHeader('content-type')
      if (typeof contentType !== 'string' || !(contentType.includes('event-stream') || contentType.includes('ndjson')) || !(typeof payload === 'string' || Buffer.isBuffer(payload))) return done(null, payload)
      return done(null, bufferedRecordAnswer(settings, request, reply, payload, contentType) ?? payload)
    }
    // Only a body that is an error pays for the route lookup onRoute could not do; the body is not parsed again.
    const late = own === null ? lateSettings(request) : null
    if (late !== null) {
      settings = late
      decision = late.enabled ? inspectResponse(late, reply.statusCode, reply.getHeader('content-type'), payload, request.log, () => late.tableFor(request), parsed) : null
      if (decision === null) return done(null, payload)
    }
    if (!applyToResponse(settings, request, reply, 'body', decision) || !settings.rewriteBody) return done(null, payload)
    reply.header('content-type', JSON_CONTENT_TYPE)
    done(null, errorBody(settings.dialect, request.url, decision.status, decision))
  }
}
