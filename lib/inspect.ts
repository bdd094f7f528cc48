import { classify } from './classify'
import { openaiErrorBody } from './body'
import type { Settings } from './options'
import { isJsonContentType, mayBeErrorBytes, mayBeErrorText } from './payload'

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
