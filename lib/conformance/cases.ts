import { gzipSync } from 'node:zlib'
import { classify } from '../core/classify'
import { didYouMean } from '../settings/suggest'
import { loadCorpus, type CorpusEntry } from './corpus'
import { InvalidConformanceOptionError } from './errors'
import type * as Public from '../../types/conformance'

// The public types live in types/conformance.d.ts; the code uses them from there.
export type CaseKind = Public.CaseKind

/** What the fake upstream answers for a case. */
export interface UpstreamAnswer {
  status: number
  headers: Record<string, string>
  body: Buffer
}

/** A case as the public type says, with the upstream's body as the Buffer the fake upstream writes. */
export interface ConformanceCase extends Public.ConformanceCase {
  upstream: UpstreamAnswer
}

const JSON_TYPE = 'application/json'
const SSE_TYPE = 'text/event-stream'

export const KIND_DESCRIPTIONS: Record<CaseKind, string> = {
  status: 'the error with the status the provider sent',
  200: 'the same error answered with 200',
  gzip: 'the error answered with 200, gzip-encoded',
  'sse-first': 'an event stream answered with 200 whose first event is the error',
  'sse-mid': 'an event stream answered with 200: a completion chunk, then the error',
  success: 'a success whose body has error-ish fields (status, error: null...)'
}

const stem = (entry: CorpusEntry): string => `${entry.file.slice(entry.file.indexOf('/') + 1).replace(/\.json$/, '')}#${entry.index}`

function jsonText (entry: CorpusEntry): string {
  return typeof entry.body_text === 'string' ? entry.body_text : JSON.stringify(entry.body)
}

/** A success entry as its provider sends it: its event stream, NDJSON or JSON text. */
function successAnswer (entry: CorpusEntry): UpstreamAnswer & { text: string } {
  if (typeof entry.sse === 'string') return { status: 200, headers: { 'content-type': SSE_TYPE }, body: Buffer.from(entry.sse), text: entry.sse }
  if (typeof entry.ndjson === 'string') return { status: 200, headers: { 'content-type': 'application/x-ndjson' }, body: Buffer.from(entry.ndjson), text: entry.ndjson }
  const text = jsonText(entry)
  return { status: 200, headers: { 'content-type': JSON_TYPE }, body: Buffer.from(text), text }
}

function base (kind: CaseKind, entry: CorpusEntry): Pick<ConformanceCase, 'id' | 'kind' | 'provider' | 'source'> {
  return { id: `${kind}:${stem(entry)}`, kind, provider: entry.provider, source: entry.source }
}

/** The upstream answers an error entry the way <kind> says; the gateway must answer with the provider's status. */
export function errorCase (kind: Exclude<CaseKind, 'sse-mid' | 'success'>, entry: CorpusEntry): ConformanceCase {
  const status = entry.status as number
  const text = jsonText(entry)
  const common = { ...base(kind, entry), expectedStatus: status, expectedText: null }
  if (kind === 'status') return { ...common, stream: false, upstream: { status, headers: { 'content-type': JSON_TYPE }, body: Buffer.from(text) } }
  if (kind === '200') return { ...common, stream: false, upstream: { status: 200, headers: { 'content-type': JSON_TYPE }, body: Buffer.from(text) } }
  if (kind === 'gzip') {
    return { ...common, stream: false, upstream: { status: 200, headers: { 'content-type': JSON_TYPE, 'content-encoding': 'gzip' }, body: gzipSync(text) } }
  }
  // The provider's own stream where the corpus has it, else the body as the one data event a server sends.
  const events = typeof entry.sse === 'string' ? entry.sse : `data: ${text}\n\n`
  return { ...common, stream: true, upstream: { status: 200, headers: { 'content-type': SSE_TYPE }, body: Buffer.from(events) } }
}

/**
 * A completion's first chunk, then the error: the head (200) is gone before the error comes, so the gateway
 * must pass every byte and the client sees the error event mid-stream.
 */
export function midStreamCase (entry: CorpusEntry, firstEvent: string): ConformanceCase {
  const text = `${firstEvent}data: ${jsonText(entry)}\n\n`
  return {
    ...base('sse-mid', entry),
    stream: true,
    upstream: { status: 200, headers: { 'content-type': SSE_TYPE }, body: Buffer.from(text) },
    expectedStatus: 200,
    expectedText: text
  }
}

export function successCase (entry: CorpusEntry): ConformanceCase {
  const { text, ...upstream } = successAnswer(entry)
  return { ...base('success', entry), stream: typeof entry.sse === 'string', upstream, expectedStatus: 200, expectedText: text }
}

/** The first event of the corpus's OpenAI chat-completion stream: what a mid-stream error follows. */
export function firstChunkOf (successes: CorpusEntry[]): string {
  const stream = successes.find((entry) => entry.provider === 'openai' && entry.sse?.includes('"chat.completion.chunk"') === true) as CorpusEntry
  const sse = stream.sse as string
  return sse.slice(0, sse.indexOf('\n\n') + 2)
}

// Fields a success carries that a careless detector reads as failure: `"status": "failed"`, `"error": null`...
const ERRORISH = /"(error|errors|status|refusal)"\s*:/

/** The error bodies an OpenAI SDK raises on mid-stream: a top-level `error` object. */
const hasErrorObject = (entry: CorpusEntry): boolean =>
  typeof entry.body === 'object' && entry.body !== null && typeof (entry.body as { error?: unknown }).error === 'object' && (entry.body as { error: unknown }).error !== null

const STREAM_STATUSES = new Set([400, 401, 404, 429, 500, 503])
const MID_STREAM_STATUSES = new Set([400, 429, 500])
const SUCCESS_PICKS = 10

/** One entry a status, in status order, each from a provider not picked yet where there is one. */
function onePerStatus (entries: CorpusEntry[]): CorpusEntry[] {
  const statuses = [...new Set(entries.map((entry) => entry.status as number))].sort((a, b) => a - b)
  const used = new Set<string>()
  return statuses.map((status) => {
    const ofStatus = entries.filter((entry) => entry.status === status)
    const entry = ofStatus.find((candidate) => !used.has(candidate.provider)) ?? ofStatus[0]
    used.add(entry.provider)
    return entry
  })
}

/**
 * The default run, a few seconds long: one error a status (among those the default table classifies as the provider
 * did, so a failure is the gateway's wiring, not a table gap) in each way it can come, and a spread of successes.
 */
export function defaultCases (errors: CorpusEntry[], successes: CorpusEntry[]): ConformanceCase[] {
  const known = errors.filter((entry) => classify(entry.body)?.status === entry.status)
  const picked = onePerStatus(known)
  const cases: ConformanceCase[] = []
  for (const entry of picked) cases.push(errorCase('status', entry), errorCase('200', entry))
  for (const entry of picked.filter((entry) => STREAM_STATUSES.has(entry.status as number))) cases.push(errorCase('gzip', entry), errorCase('sse-first', entry))
  const firstEvent = firstChunkOf(successes)
  for (const entry of onePerStatus(known.filter(hasErrorObject)).filter((entry) => MID_STREAM_STATUSES.has(entry.status as number))) {
    cases.push(midStreamCase(entry, firstEvent))
  }
  // A spread of providers and of forms (JSON, event stream, NDJSON): one of each pair at most.
  const seen = new Set<string>()
  for (const entry of successes) {
    const answer = successAnswer(entry)
    const key = `${entry.provider} ${answer.headers['content-type']}`
    if (seen.size === SUCCESS_PICKS || seen.has(key) || !ERRORISH.test(answer.text)) continue
    seen.add(key)
    cases.push(successCase(entry))
  }
  return cases
}

/** Every entry in every way: each error four ways (and mid-stream when it has an error object), every success. */
export function allCases (errors: CorpusEntry[], successes: CorpusEntry[]): ConformanceCase[] {
  const firstEvent = firstChunkOf(successes)
  const cases: ConformanceCase[] = []
  for (const entry of errors) {
    cases.push(errorCase('status', entry), errorCase('200', entry), errorCase('gzip', entry), errorCase('sse-first', entry))
    if (hasErrorObject(entry)) cases.push(midStreamCase(entry, firstEvent))
  }
  for (const entry of successes) cases.push(successCase(entry))
  return cases
}

/** The cases of a run: the default selection, every case, or those named (from every case). */
export function selectCases (selection: { all?: boolean, only?: readonly string[] }, corpusDir?: string): ConformanceCase[] {
  const errors = loadCorpus('errors', corpusDir)
  const successes = loadCorpus('successes', corpusDir)
  if (selection.only === undefined) return selection.all === true ? allCases(errors, successes) : defaultCases(errors, successes)
  const every = new Map(allCases(errors, successes).map((item) => [item.id, item]))
  return selection.only.map((id) => every.get(id) ?? unknownCase(id, [...every.keys()]))
}

function unknownCase (id: string, known: string[]): never {
  throw new InvalidConformanceOptionError('only', `names no case: ${JSON.stringify(id)}${didYouMean(id, known)}`)
}
