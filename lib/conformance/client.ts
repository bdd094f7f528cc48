import { createParser } from 'eventsource-parser'
import type { ConformanceCase } from './cases'
import { CASE_HEADER } from './upstream'

/** What the gateway answered a case with, the body decoded as a client reads it. */
export interface GatewayAnswer {
  status: number
  contentType: string
  text: string
}

/** The part of the openai SDK's client the kit calls: `post(path, { body, headers, stream })`. */
export interface SdkClient {
  post: (path: string, options: { body: unknown, headers: Record<string, string>, stream: boolean }) => PromiseLike<unknown>
}
export type SdkConstructor = new (options: { apiKey: string, baseURL: string, maxRetries: number, timeout: number }) => SdkClient

/** The openai SDK's client class when the package is installed (it is optional), else null. */
export function loadSdk (name = 'openai'): SdkConstructor | null {
  try {
    return (require(name) as { OpenAI: SdkConstructor }).OpenAI
  } catch {
    return null
  }
}

/** A chat-completion request whose model is the case id: every gateway forwards that to the upstream. */
export function requestBody (item: ConformanceCase): object {
  return { model: item.id, messages: [{ role: 'user', content: 'conformance' }], stream: item.stream }
}

const headersFor = (item: ConformanceCase): Record<string, string> => ({ [CASE_HEADER]: item.id })

/** The case sent through the gateway with fetch, which decodes gzip as every client does. */
export async function sendCase (gateway: string, path: string, item: ConformanceCase, timeoutMs: number): Promise<GatewayAnswer> {
  const res = await fetch(new URL(path, gateway), {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer conformance', ...headersFor(item) },
    body: JSON.stringify(requestBody(item)),
    signal: AbortSignal.timeout(timeoutMs)
  })
  return { status: res.status, contentType: res.headers.get('content-type') ?? '', text: await res.text() }
}

// The openai SDK's error class for each status it names (openai/core/error.js APIError.generate).
const SDK_ERRORS: Record<number, string> = {
  400: 'BadRequestError',
  401: 'AuthenticationError',
  403: 'PermissionDeniedError',
  404: 'NotFoundError',
  409: 'ConflictError',
  422: 'UnprocessableEntityError',
  429: 'RateLimitError'
}

export function sdkErrorName (status: number): string {
  return SDK_ERRORS[status] ?? (status >= 500 ? 'InternalServerError' : 'APIError')
}

const events = (count: number): string => `${count} event${count === 1 ? '' : 's'}`

/**
 * What the openai SDK would show for an answer, worked out from the answer itself when the SDK is not installed:
 * its error class for an error status; for an event stream, the events read before one with an `error` (the SDK
 * raises an APIError there).
 */
export function outcomeOf (answer: GatewayAnswer): string {
  if (answer.status >= 400) return `${sdkErrorName(answer.status)} ${answer.status}`
  if (!answer.contentType.startsWith('text/event-stream')) return 'success'
  let read = 0
  let failedAfter: number | null = null
  const parser = createParser({
    onEvent (event) {
      if (failedAfter !== null || event.data === '[DONE]') return
      if (isErrorEvent(event.data)) failedAfter = read
      else read++
    }
  })
  parser.feed(answer.text)
  return failedAfter === null ? `success, ${events(read)}` : `APIError after ${events(failedAfter)}`
}

function isErrorEvent (data: string): boolean {
  try {
    const parsed = JSON.parse(data) as { error?: unknown } | null
    return typeof parsed === 'object' && parsed !== null && Boolean(parsed.error)
  } catch {
    return false
  }
}

function describeThrown (error: unknown): string {
  const status = (error as { status?: unknown }).status
  const name = (error as Error).constructor.name
  return typeof status === 'number' ? `${name} ${status}` : `${name}: ${(error as Error).message}`
}

/** The case sent through the gateway by the openai SDK (no retries): what its caller sees. */
export async function sdkOutcome (Sdk: SdkConstructor, gateway: string, path: string, item: ConformanceCase, timeoutMs: number): Promise<string> {
  const client = new Sdk({ apiKey: 'conformance', baseURL: gateway, maxRetries: 0, timeout: timeoutMs })
  let result: unknown
  try {
    result = await client.post(path, { body: requestBody(item), headers: headersFor(item), stream: item.stream })
  } catch (error) {
    return describeThrown(error)
  }
  if (!item.stream) return 'success'
  let read = 0
  try {
    for await (const _chunk of result as AsyncIterable<unknown>) read++
  } catch (error) {
    return `${describeThrown(error).replace(/:.*$/s, '')} after ${events(read)}`
  }
  return `success, ${events(read)}`
}
