import { errorBody } from '../output/dialect'
import { findEnvelope } from '../core/extract'
import { classifyEnvelope, type Table } from '../core/table'
import type { Settings } from '../settings/options'
import { eventJson, type SseEvent } from './sse'
import type { Decision } from '../types'

// The first record of an event or line stream, judged: the same for the Fastify hook and the Fetch adapter.

/** The decision and the JSON answer for a stream's first record when it is an error; null when it is not. */
export function firstRecordError (settings: Settings, tableFor: () => Table, url: string, event: SseEvent): { decision: Decision, body: string } | null {
  const json = eventJson(event)
  const direct = json === null ? null : findEnvelope(json.value, settings.table.extractors)
  // An `event: error` whose data is not an envelope (plain text) is an error all the same.
  const envelope = direct ?? (event.event === 'error' ? findEnvelope({ error: event.data }, settings.table.extractors) : null)
  const decision = envelope === null ? null : classifyEnvelope(envelope, tableFor())
  if (decision === null) return null
  const body = settings.rewriteBody || direct === null ? errorBody(settings.dialect, url, decision.status, decision) : (json as { text: string }).text
  return { decision, body }
}
