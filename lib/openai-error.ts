import createHttpError from 'http-errors'
import { classify } from './classify'
import { typeForStatus } from './status-types'
import type { OpenaiErrorFields } from '../index'

export type { OpenaiErrorFields }

/**
 * An `http-errors` error that the plugin's error handler answers with `status` and the OpenAI body
 * `{"error":{message,type,param,code}}`. `type` defaults to what the mapping table names for it.
 * `throw openaiError(404, { message: 'No such model', code: 'model_not_found' })`
 */
export function openaiError (status: number, fields: OpenaiErrorFields | string): createHttpError.HttpError {
  const given: OpenaiErrorFields = typeof fields === 'string' ? { message: fields } : fields
  const code = given.code ?? null
  let type = given.type
  if (type === undefined) {
    const decision = classify({ error: { message: given.message, code: code ?? undefined } })
    // The table's type only when it agrees on the status: a model_not_found thrown as a 403 is a permission_error.
    type = decision !== null && decision.status === status ? decision.type : typeForStatus(status)
  }
  const properties: Record<string, unknown> = { openai: { type, code, param: given.param ?? null } }
  if (given.expose !== undefined) properties.expose = given.expose
  return createHttpError(status, given.message, properties)
}
