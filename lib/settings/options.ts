import { InvalidOptionError, InvalidRouteConfigError } from './errors'
import type { FastifyRequest } from 'fastify'
import { buildTable, type Table } from '../core/table'
import { providers } from '../packs'
import type { Dialect, FastifyOpenaiErrorsOptions, FastifyOpenaiErrorsRouteOptions, NormalizeEvent, SseOptions } from '../../index'
import type { Extractor, Rule } from '../types'
import { didYouMean } from './suggest'

export const DEFAULT_MAX_BODY_BYTES = 64 * 1024
export const DEFAULT_JSON_PEEK_TIMEOUT_MS = 5000
export const DEFAULT_SSE_PEEK_BYTES = 16 * 1024
export const DEFAULT_SSE_PEEK_TIMEOUT_MS = 5000

/** Options that shape how response bodies are inspected (index.d.ts); after normalisation every rule has a name. */
export type InspectOptions = Omit<FastifyOpenaiErrorsRouteOptions, 'rules'> & { rules?: readonly Rule[] }

export type PluginOptions = FastifyOpenaiErrorsOptions

export type { Dialect, NormalizeEvent, SseOptions }

/** What the hooks read: normalised once, frozen. */
export interface Settings {
  readonly enabled: boolean
  /** The table for responses whose provider is not known per request. */
  readonly table: Table
  /** The table for one request: the provider option's function picks the pack that weighs more. */
  readonly tableFor: (request: FastifyRequest) => Table
  readonly maxBodyBytes: number
  readonly rewriteBody: boolean
  readonly correctErrorStatus: boolean
  readonly inspectStreams: boolean
  readonly jsonPeekTimeoutMs: number
  /** null: record streams (SSE, NDJSON) are not peeked at. */
  readonly sse: Readonly<Required<SseOptions>> | null
  readonly reportOnly: boolean
  readonly dialect: Dialect
  /** Lower-cased header name, or null for none. */
  readonly upstreamStatusHeader: string | null
  readonly retryHints: boolean
  readonly onNormalize: ((event: NormalizeEvent) => void) | null
  /** The inspect options these settings came from, so a route can override a few of them. */
  readonly source: Readonly<InspectOptions>
}

const INSPECT_KEYS = ['rules', 'defaultRules', 'fallbackStatus', 'maxMessageChars', 'maxBodyBytes', 'rewriteBody', 'correctErrorStatus',
  'inspectStreams', 'jsonPeekTimeoutMs', 'sse', 'reportOnly', 'dialect', 'upstreamStatusHeader', 'retryHints', 'provider', 'extractors'] as const
const DIALECTS = ['auto', 'openai', 'anthropic']
// An HTTP header name (RFC 9110 token).
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,100}$/
const SSE_KEYS = new Set(['peekBytes', 'peekTimeoutMs'])
// Fastify's own register options reach the plugin too; they are Fastify's business, not ours.
const REGISTER_KEYS = ['prefix', 'logLevel', 'logSerializers']
const PLUGIN_KEYS = new Set<string>([...INSPECT_KEYS, 'errorHandler', 'notFoundHandler', 'onNormalize'])
const ROUTE_KEYS = new Set<string>(INSPECT_KEYS)
const RULE_KEYS = new Set(['name', 'type', 'code', 'message', 'hint', 'when', 'status', 'errorType', 'errorCode', 'retryable', 'weight', 'provider', 'source'])
const EXTRACTOR_KEYS = new Set(['name', 'marks', 'extract'])
// A JSON key as the byte gate looks for it: no quote or backslash to escape.
const MARK = /^[^"\\]{1,100}$/
const MATCHER_KEYS = ['type', 'code', 'message', 'hint', 'when'] as const

/** Reports a problem with one option; `where` is the option's path, e.g. `rules[2].status`. */
type Fail = (where: string, problem: string) => never

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof RegExp)

function checkInteger (fail: Fail, where: string, value: unknown, min: number, max: number): void {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    fail(where, `must be an integer from ${min} to ${max}, got ${describe(value)}`)
  }
}

function checkBoolean (fail: Fail, where: string, value: unknown): void {
  if (typeof value !== 'boolean') fail(where, `must be a boolean, got ${describe(value)}`)
}

function describe (value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? value.slice(0, 40) + '...' : value)
  if (value === null || typeof value !== 'object') return String(value)
  return Array.isArray(value) ? 'an array' : 'an object'
}

function checkList (fail: Fail, where: string, value: unknown, ok: (item: unknown) => boolean, what: string): void {
  const items = Array.isArray(value) ? value : [value]
  if (items.length === 0 || !items.every(ok)) fail(where, `must be ${what} or a non-empty array of them`)
}

const isText = (item: unknown): boolean => (typeof item === 'string' && item !== '') || item instanceof RegExp
const isCode = (item: unknown): boolean => (typeof item === 'string' && item !== '') || (typeof item === 'number' && Number.isFinite(item))

function checkRule (fail: Fail, where: string, rule: unknown): Rule {
  if (!isPlainObject(rule)) fail(where, `must be an object, got ${describe(rule)}`)
  for (const key of Object.keys(rule)) {
    if (!RULE_KEYS.has(key)) fail(`${where}.${key}`, `is not a rule field${didYouMean(key, RULE_KEYS)} (use ${[...RULE_KEYS].join(', ')})`)
  }
  if (!MATCHER_KEYS.some((key) => rule[key] !== undefined)) {
    fail(where, `needs at least one matcher: ${MATCHER_KEYS.join(', ')}`)
  }
  if (rule.name !== undefined && (typeof rule.name !== 'string' || rule.name === '')) fail(`${where}.name`, 'must be a non-empty string')
  checkInteger(fail, `${where}.status`, rule.status, 400, 599)
  if (rule.type !== undefined) checkList(fail, `${where}.type`, rule.type, isText, 'a string, a RegExp')
  if (rule.message !== undefined) checkList(fail, `${where}.message`, rule.message, isText, 'a string, a RegExp')
  if (rule.code !== undefined) checkList(fail, `${where}.code`, rule.code, isCode, 'a string, a number')
  if (rule.hint !== undefined) checkList(fail, `${where}.hint`, rule.hint, isCode, 'a status number, a status name')
  if (rule.when !== undefined && typeof rule.when !== 'function') fail(`${where}.when`, 'must be a function (envelope) => boolean')
  if (rule.retryable !== undefined) checkBoolean(fail, `${where}.retryable`, rule.retryable)
  if (rule.weight !== undefined) checkInteger(fail, `${where}.weight`, rule.weight, 1, 99)
  for (const key of ['errorType', 'errorCode', 'provider', 'source'] as const) {
    if (rule[key] !== undefined && (typeof rule[key] !== 'string' || rule[key] === '')) fail(`${where}.${key}`, 'must be a non-empty string')
  }
  return rule as unknown as Rule
}

function checkExtractors (fail: Fail, extractors: unknown): readonly Extractor[] {
  if (!Array.isArray(extractors)) fail('extractors', `must be an array of { name, marks, extract }, got ${describe(extractors)}`)
  return Object.freeze(extractors.map((extractor, index) => {
    const where = `extractors[${index}]`
    if (!isPlainObject(extractor)) fail(where, `must be an object { name, marks, extract }, got ${describe(extractor)}`)
    for (const key of Object.keys(extractor)) {
      if (!EXTRACTOR_KEYS.has(key)) fail(`${where}.${key}`, `is not an extractor field${didYouMean(key, EXTRACTOR_KEYS)} (use name, marks, extract)`)
    }
    if (typeof extractor.name !== 'string' || extractor.name === '') fail(`${where}.name`, 'must be a non-empty string')
    if (!Array.isArray(extractor.marks) || extractor.marks.length === 0 || !extractor.marks.every((mark) => typeof mark === 'string' && MARK.test(mark))) {
      fail(`${where}.marks`, 'must be a non-empty array of JSON key names (the keys only this shape has)')
    }
    if (typeof extractor.extract !== 'function') fail(`${where}.extract`, 'must be a function (body) => { message, type?, code?, status? } | null')
    return Object.freeze({ ...extractor }) as unknown as Extractor
  }))
}

function checkProvider (fail: Fail, provider: unknown): void {
  if (typeof provider === 'function') return
  if (typeof provider !== 'string' || !providers.includes(provider)) {
    const hint = typeof provider === 'string' ? didYouMean(provider, providers) : ''
    fail('provider', `must be one of the providers (${providers.join(', ')}) or a function of the request, got ${describe(provider)}${hint}`)
  }
}

function checkSse (fail: Fail, sse: unknown): void {
  if (sse === undefined || sse === false) return
  if (!isPlainObject(sse)) fail('sse', `must be false or an object { peekBytes, peekTimeoutMs }, got ${describe(sse)}`)
  for (const key of Object.keys(sse)) {
    if (!SSE_KEYS.has(key)) fail(`sse.${key}`, `is not an option${didYouMean(key, SSE_KEYS)} (known: peekBytes, peekTimeoutMs)`)
  }
  if (sse.peekBytes !== undefined) checkInteger(fail, 'sse.peekBytes', sse.peekBytes, 1, 16 * 1024 * 1024)
  if (sse.peekTimeoutMs !== undefined) checkInteger(fail, 'sse.peekTimeoutMs', sse.peekTimeoutMs, 1, 600000)
}

function checkInspectOptions (fail: Fail, options: Record<string, unknown>, allowed: Set<string>): InspectOptions {
  for (const key of Object.keys(options)) {
    if (!allowed.has(key) && !(allowed === PLUGIN_KEYS && REGISTER_KEYS.includes(key))) fail(key, `is not an option${didYouMean(key, allowed)} (known: ${[...allowed].join(', ')})`)
  }
  const { rules, fallbackStatus, maxMessageChars, maxBodyBytes } = options
  let named: Rule[] | undefined
  if (rules !== undefined) {
    if (!Array.isArray(rules)) fail('rules', `must be an array of rules, got ${describe(rules)}`)
    named = rules.map((rule, index) => {
      const checked = checkRule(fail, `rules[${index}]`, rule)
      return Object.freeze({ ...checked, name: checked.name ?? `rules[${index}]` })
    })
  }
  if (fallbackStatus !== undefined && fallbackStatus !== 'leave') {
    if (typeof fallbackStatus !== 'number' || !Number.isInteger(fallbackStatus) || fallbackStatus < 400 || fallbackStatus > 599) {
      fail('fallbackStatus', `must be an integer from 400 to 599 or 'leave', got ${describe(fallbackStatus)}`)
    }
  }
  if (options.provider !== undefined) checkProvider(fail, options.provider)
  const extractors = options.extractors === undefined ? undefined : checkExtractors(fail, options.extractors)
  if (maxMessageChars !== undefined) checkInteger(fail, 'maxMessageChars', maxMessageChars, 1, 1024 * 1024)
  if (maxBodyBytes !== undefined) checkInteger(fail, 'maxBodyBytes', maxBodyBytes, 1, 64 * 1024 * 1024)
  if (options.jsonPeekTimeoutMs !== undefined) checkInteger(fail, 'jsonPeekTimeoutMs', options.jsonPeekTimeoutMs, 1, 600000)
  checkSse(fail, options.sse)
  if (options.dialect !== undefined && !DIALECTS.includes(options.dialect as string)) {
    fail('dialect', `must be one of ${DIALECTS.map((d) => `"${d}"`).join(', ')}, got ${describe(options.dialect)}`)
  }
  const header = options.upstreamStatusHeader
  if (header !== undefined && header !== false && (typeof header !== 'string' || !HEADER_NAME.test(header))) {
    fail('upstreamStatusHeader', `must be a header name or false, got ${describe(header)}`)
  }
  if (options.onNormalize !== undefined && typeof options.onNormalize !== 'function') {
    fail('onNormalize', `must be a function (event) => void, got ${describe(options.onNormalize)}`)
  }
  for (const key of ['defaultRules', 'rewriteBody', 'correctErrorStatus', 'inspectStreams', 'reportOnly', 'retryHints', 'errorHandler', 'notFoundHandler']) {
    if (options[key] !== undefined) checkBoolean(fail, key, options[key])
  }
  const checked: Record<string, unknown> = {}
  for (const key of INSPECT_KEYS) {
    if (options[key] !== undefined) checked[key] = options[key]
  }
  if (named !== undefined) checked.rules = Object.freeze(named)
  if (extractors !== undefined) checked.extractors = extractors
  return Object.freeze(checked) as InspectOptions
}

/**
 * The table for each request. A provider given as a function is asked per request (only for a body that passed the
 * byte gate); each provider's table is built once. A function that throws, or names no known provider, gets the
 * table without one.
 */
function tablePicker (options: InspectOptions, table: Table): Settings['tableFor'] {
  const pick = options.provider
  if (typeof pick !== 'function') return () => table
  const tables = new Map<string, Table>()
  return (request) => {
    let name: unknown
    try {
      name = pick(request)
    } catch (error) {
      request.log.error({ err: error }, 'fastify-openai-errors: the provider function threw; no provider assumed')
      return table
    }
    if (typeof name !== 'string' || !providers.includes(name)) return table
    let chosen = tables.get(name)
    if (chosen === undefined) {
      chosen = buildTable({ ...tableSettings(options), provider: name })
      tables.set(name, chosen)
    }
    return chosen
  }
}

function tableSettings (options: InspectOptions): Parameters<typeof buildTable>[0] {
  return {
    rules: options.rules,
    defaults: options.defaultRules,
    fallbackStatus: options.fallbackStatus,
    maxMessageChars: options.maxMessageChars,
    extractors: options.extractors,
    provider: typeof options.provider === 'string' ? options.provider : null
  }
}

function settingsFrom (options: InspectOptions, onNormalize: Settings['onNormalize']): Settings {
  const table = buildTable(tableSettings(options))
  return Object.freeze({
    enabled: true,
    table,
    tableFor: tablePicker(options, table),
    maxBodyBytes: options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
    rewriteBody: options.rewriteBody ?? false,
    correctErrorStatus: options.correctErrorStatus ?? false,
    inspectStreams: options.inspectStreams ?? true,
    jsonPeekTimeoutMs: options.jsonPeekTimeoutMs ?? DEFAULT_JSON_PEEK_TIMEOUT_MS,
    sse: options.sse === false
      ? null
      : Object.freeze({
        peekBytes: options.sse?.peekBytes ?? DEFAULT_SSE_PEEK_BYTES,
        peekTimeoutMs: options.sse?.peekTimeoutMs ?? DEFAULT_SSE_PEEK_TIMEOUT_MS
      }),
    reportOnly: options.reportOnly ?? false,
    dialect: options.dialect ?? 'auto',
    upstreamStatusHeader: options.upstreamStatusHeader === false ? null : (options.upstreamStatusHeader ?? 'x-upstream-status').toLowerCase(),
    retryHints: options.retryHints ?? true,
    onNormalize,
    source: options
  })
}

export interface NormalisedOptions {
  settings: Settings
  errorHandler: boolean
  notFoundHandler: boolean
}

/** Validate the plugin options once, at registration; throws FST_OPENAI_ERRORS_INVALID_OPTION naming the option. */
export function normaliseOptions (options: unknown): NormalisedOptions {
  const fail: Fail = (where, problem) => { throw new InvalidOptionError(where, problem) }
  if (options !== undefined && !isPlainObject(options)) fail('options', `must be an object, got ${describe(options)}`)
  const raw = (options ?? {}) as Record<string, unknown>
  const inspect = checkInspectOptions(fail, raw, PLUGIN_KEYS)
  return {
    settings: settingsFrom(inspect, (raw.onNormalize as Settings['onNormalize']) ?? null),
    errorHandler: raw.errorHandler !== false,
    notFoundHandler: raw.notFoundHandler !== false
  }
}

export const DISABLED: Settings = Object.freeze({ ...settingsFrom({}, null), enabled: false })

/**
 * The settings for one route: `false` turns the plugin off there, an object overrides the plugin's
 * inspect options (route rules run before the plugin's rules). Throws FST_OPENAI_ERRORS_INVALID_ROUTE_CONFIG.
 */
export function routeSettings (route: string, config: unknown, base: Settings): Settings {
  const fail: Fail = (where, problem) => {
    throw new InvalidRouteConfigError(route, where === '' ? '' : `.${where}`, problem)
  }
  if (config === false) return DISABLED
  if (config === true) return base
  if (!isPlainObject(config)) fail('', `must be false or an object of options, got ${describe(config)}`)
  const own = checkInspectOptions(fail, config, ROUTE_KEYS)
  const rules = own.rules === undefined ? base.source.rules : [...own.rules, ...(base.source.rules ?? [])]
  // A route's sse bounds refine the plugin's, one field at a time; false on either side wins.
  const sse = own.sse === undefined || own.sse === false || base.source.sse === false ? own.sse ?? base.source.sse : { ...base.source.sse, ...own.sse }
  return settingsFrom({ ...base.source, ...own, rules, sse }, base.onNormalize)
}
