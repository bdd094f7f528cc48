import { anthropicErrorBody, openaiErrorBody, type ErrorFields } from './body'
import type { Dialect } from '../settings/options'

/** The dialect a request speaks: `auto` means Anthropic's on the Messages API (`/v1/messages...`), else OpenAI's. */
export function dialectOf (dialect: Dialect, url: string): 'openai' | 'anthropic' {
  if (dialect !== 'auto') return dialect
  const query = url.indexOf('?')
  const path = query === -1 ? url : url.slice(0, query)
  return /\/v1\/messages(?:\/|$)/.test(path) ? 'anthropic' : 'openai'
}

/** The error body the plugin builds, in the request's dialect. */
export function errorBody (dialect: Dialect, url: string, status: number, fields: ErrorFields): string {
  return dialectOf(dialect, url) === 'anthropic' ? anthropicErrorBody(status, fields) : openaiErrorBody(fields)
}
