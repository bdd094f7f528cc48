import { STATUS_CODES } from 'node:http'
import { classify } from '../core/table'
import { typeForStatus } from '../core/status-types'
import type { OpenaiErrorFields } from '../../index'

export type { OpenaiErrorFields }

// The class name http-errors would give: `NotFoundError`, `TooManyRequestsError`; `HttpError` for a status with no phrase.
function nameFor (status: number): string {
  const phrase = STATUS_CODES[status]
  if (phrase === undefined) return 'HttpError'
  const name = phrase.replace(/[^A-Za-z0-9 ]/g, '').split(' ').map((word) => word.charAt(0).toUpperCase() + word.slice(1)).join('')
  return name.endsWith('Error') ? name : name + 'Error'
}

/**
 * An error with the fields of an `http-errors` HttpError (`status`, `statusCode`, `expose`), so that Fastify and the
 * plugin's error handler both read its status, plus the OpenAI fields the body is built from.
 */
export class OpenaiHttpError extends Error {
  readonly status: number
  readonly statusCode: number
  readonly expose: boolean
  readonly openai: { type: string, code: string | null, param: string | null }

  constructor (status: number, message: string, openai: OpenaiHttpError['openai'], expose: boolean) {
    super(message)
    this.name = nameFor(status)
    this.status = status
    this.statusCode = status
    this.expose = expose
    this.openai = openai
  }
}

/**
 * An error that the plugin answers with `status` and the OpenAI body `{"error":{message,type,param,code}}`.
 * `type` defaults to what the mapping table names for it.
 * `throw openaiError(404, { message: 'No such model', code: 'model_not_found' })`
 */
export function openaiError (status: number, fields: OpenaiErrorFields | string): OpenaiHttpError {
  if (!Number.isInteger(status) || status < 400 || status > 599) {
    throw new RangeError(`openaiError: status must be an integer from 400 to 599, got ${String(status)}`)
  }
  const given: OpenaiErrorFields = typeof fields === 'string' ? { message: fields } : fields
  const code = given.code ?? null
  let type = given.type
  if (type === undefined) {
    const decision = classify({ error: { message: given.message, code: code ?? undefined } })
    // The table's type only when it agrees on the status: a model_not_found thrown as a 403 is a permission_error.
    type = decision !== null && decision.status === status ? decision.type : typeForStatus(status)
  }
  return new OpenaiHttpError(status, given.message, { type, code, param: given.param ?? null }, given.expose ?? status < 500)
}
