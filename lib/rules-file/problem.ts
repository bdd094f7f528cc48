import type { ErrorObject } from 'ajv'
import { didYouMean } from '../settings/suggest'

// Ajv's first error turned into the plugin's own wording: where in the file (`rules[3].status`) and what each field
// must be, in the words registration uses for the same field.

export const FILE_RULE_KEYS = ['name', 'type', 'code', 'message', 'flags', 'hint', 'status', 'errorType', 'errorCode', 'retryable', 'weight', 'provider', 'source']
const MATCHERS = 'type, code, message, hint'

/** What each field must be; every schema keyword a field can fail (type, minLength, maximum...) says this. */
const FIELD_MUST: Readonly<Record<string, string>> = {
  name: 'must be a non-empty string',
  type: 'must be a name or a non-empty list of names',
  code: 'must be a string, a number or a non-empty list of them',
  message: 'must be a RegExp source (1 to 1000 characters) or a non-empty list of them',
  flags: 'must be RegExp flags from i, m, s, u',
  hint: 'must be a status (400-599), a status name or a non-empty list of them',
  status: 'must be an integer from 400 to 599',
  errorType: 'must be a non-empty string',
  errorCode: 'must be a non-empty string',
  retryable: 'must be a boolean',
  weight: 'must be an integer from 1 to 99',
  provider: 'must be a non-empty string',
  source: 'must be a non-empty string'
}

export function describe (value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? value.slice(0, 40) + '...' : value)
  if (value === null || typeof value !== 'object') return String(value)
  return Array.isArray(value) ? 'a list' : 'an object'
}

function valueAt (document: unknown, segments: readonly string[]): unknown {
  let value = document
  for (const segment of segments) value = (value as Record<string, unknown>)[segment]
  return value
}

/** `rules[3].message[1]` for the instance path `/rules/3/message/1` (or `/3/message/1` in a bare list). */
function whereOf (segments: readonly string[]): string {
  const [index, field, item] = segments[0] === 'rules' ? segments.slice(1) : segments
  let where = index === undefined ? 'rules' : `rules[${index}]`
  if (field !== undefined) where += `.${field}`
  if (item !== undefined) where += `[${item}]`
  return where
}

function ruleProblem (error: ErrorObject, where: string, value: unknown): string {
  const params = error.params as Record<string, string>
  if (error.keyword === 'additionalProperties') {
    const key = params.additionalProperty
    if (key === 'when') return `${where}.when: is a function and cannot be in a file; give this rule in code`
    return `${where}.${key}: is not a rule field${didYouMean(key, FILE_RULE_KEYS)} (use ${FILE_RULE_KEYS.join(', ')})`
  }
  if (error.keyword === 'required') return `${where}.${params.missingProperty}: is required`
  if (error.keyword === 'dependencies') return `${where}.flags: needs a message (the flags are the message RegExps')`
  return `${where}: must be a rule (an object), got ${describe(value)}`
}

/**
 * The first problem Ajv found, as `<where>: <what is wrong>`. With allErrors off Ajv stops at the first failing
 * keyword; a failed anyOf (no matcher) comes after its branches' errors, so it is looked for first.
 */
export function problemOf (errors: readonly ErrorObject[], document: unknown): string {
  const error = errors.find((e) => e.keyword === 'anyOf') ?? errors[0]
  const segments = error.instancePath.split('/').slice(1)
  const value = valueAt(document, segments)
  const inRules = segments[0] === 'rules' ? 1 : 0
  const depth = segments.length - inRules
  if (segments.length === 0) {
    if (error.keyword === 'additionalProperties') {
      const key = (error.params as Record<string, string>).additionalProperty
      return `${key}: is not a key of a rules file${didYouMean(key, ['rules'])} (give a list of rules, or { rules: [...] })`
    }
    if (error.keyword === 'required') {
      const keys = Object.keys(value as object).map((key) => JSON.stringify(key))
      return `rules: is required (give a list of rules, or { rules: [...] })${keys.length === 0 ? '' : `; the file has ${keys.join(', ')}`}`
    }
    return `must be a list of rules or { rules: [...] }, got ${describe(value)}`
  }
  const where = whereOf(segments)
  if (depth === 0) return `${where}: must be a list of rules, got ${describe(value)}`
  if (depth === 1) {
    if (error.keyword === 'anyOf') return `${where}: needs at least one matcher: ${MATCHERS}`
    return ruleProblem(error, where, value)
  }
  const field = segments[inRules + 1]
  return `${where}: ${FIELD_MUST[field]}, got ${describe(value)}`
}
