import { STATUS_CODES } from 'node:http'
import { RETRY_STATUSES, retryDelayFromMessage } from './retry'
import { typeForStatus } from './status-types'
import type { Decision, Envelope, Evidence, Extractor, Rule } from '../types'
import { builtinExtractors, findEnvelope } from './extract'
import { buildGate, type Gate } from './gate'
import { createDecisionCache, type DecisionCache } from './decision-cache'
import { compileRule, factsOf, type CompiledRule, type Facts } from './match'
import { normaliseName } from './names'

// Pure: an envelope and a table -> the decision, weighing every piece of evidence the body gives. User rules come
// first and decide alone; then the status the body claims, the default rules and the wording each add evidence with
// a weight, and the heaviest status wins. Precedence comes from how specific a piece of evidence is, not from a
// rule's place in a list.

export const DEFAULT_MAX_MESSAGE_CHARS = 1024
export const DEFAULT_FALLBACK_STATUS = 500

/** The weight of a status the error object claims itself (`error.code: 429`), and of one beside it (`status: 500`). */
export const CLAIM_WEIGHT = 90
export const SIDE_CLAIM_WEIGHT = 65
/** How much a chosen provider's own rules gain over everyone else's. */
export const PROVIDER_BOOST = 15
/** Wording that says the client got something wrong, when nothing else is known: a 400. */
export const CLIENT_WORDING_WEIGHT = 10
const CLIENT_WORDING = /\b(?:invalid|must (?:be|not|have|contain)|is required|are required|required (?:field|parameter|property)|missing|malformed|not supported|unsupported|does not support|doesn't support|not allowed|unknown (?:field|parameter|argument|variant|name)|bad request|cannot be|should be|out of range|not a valid|failed to (?:parse|deserialize)|could not parse|unexpected (?:field|token|value)|does not match any of the expected)\b/i

/** A code or type that is an HTTP reason phrase (`PRECONDITION_FAILED`, `Bad Request`) names its status. */
export const REASON_WEIGHT = 55
const REASONS: ReadonlyMap<string, number> = new Map(Object.entries(STATUS_CODES)
  .filter(([status]) => Number(status) >= 400 && Number(status) <= 599)
  .map(([status, phrase]) => [normaliseName(String(phrase)), Number(status)]))

/** The mapping table, compiled once. */
export interface Table {
  userRules: readonly CompiledRule[]
  /** The default rules, with the chosen provider's weighed up. */
  defaultRules: readonly CompiledRule[]
  fallbackStatus: number | 'leave'
  maxMessageChars: number
  extractors: readonly Extractor[]
  gate: Gate
  provider: string | null
  /**
   * The table's decisions for bodies it has seen, when a decision is a function of the body alone (no user rule
   * has a `when`, there is no user extractor); else null.
   */
  decisions: DecisionCache | null
}

export interface TableOptions {
  rules?: readonly Rule[]
  /** false: no default rules (the user's alone); else the `defaults` the table is built with. */
  defaults?: false
  fallbackStatus?: number | 'leave'
  maxMessageChars?: number
  extractors?: readonly Extractor[]
  provider?: string | null
}

const compiledCache = new WeakMap<readonly Rule[], readonly CompiledRule[]>()

function compiled (rules: readonly Rule[]): readonly CompiledRule[] {
  let result = compiledCache.get(rules)
  if (result === undefined) {
    result = Object.freeze(rules.map(compileRule))
    compiledCache.set(rules, result)
  }
  return result
}

function weighUp (rules: readonly CompiledRule[], provider: string | null): readonly CompiledRule[] {
  if (provider === null) return rules
  return Object.freeze(rules.map((rule) => (rule.rule.provider === provider ? { ...rule, weight: rule.weight + PROVIDER_BOOST } : rule)))
}

// Heaviest first (a stable sort: among equals the table's order stays), so that classifying can stop as soon as no
// rule left could outweigh the evidence in hand.
function byWeight (rules: readonly CompiledRule[]): readonly CompiledRule[] {
  return Object.freeze([...rules].sort((a, b) => b.weight - a.weight))
}

const builtinGate = buildGate(builtinExtractors)

export function buildTable (defaults: readonly Rule[], options: TableOptions = {}): Table {
  const extractors = options.extractors === undefined || options.extractors.length === 0
    ? builtinExtractors
    : Object.freeze([...options.extractors, ...builtinExtractors])
  const provider = options.provider ?? null
  return Object.freeze({
    userRules: compiled(options.rules ?? []),
    defaultRules: options.defaults === false ? [] : byWeight(weighUp(compiled(defaults), provider)),
    fallbackStatus: options.fallbackStatus ?? DEFAULT_FALLBACK_STATUS,
    maxMessageChars: options.maxMessageChars ?? DEFAULT_MAX_MESSAGE_CHARS,
    extractors,
    gate: extractors === builtinExtractors ? builtinGate : buildGate(extractors),
    provider,
    // The built-in rules' `when` functions are ours, and read only the envelope; a user's may read anything.
    decisions: extractors === builtinExtractors && (options.rules ?? []).every((rule) => rule.when === undefined) ? createDecisionCache() : null
  })
}

function decide (envelope: Envelope, status: number, name: string, rule?: Rule): Decision {
  const code = rule?.errorCode ?? envelope.code
  return {
    status,
    type: rule?.errorType ?? envelope.type ?? typeForStatus(status),
    code: code === undefined ? null : String(code),
    message: envelope.message,
    param: envelope.param,
    rule: name,
    shape: envelope.shape,
    retryable: rule?.retryable ?? null,
    retryAfterMs: RETRY_STATUSES.has(status) ? retryDelayFromMessage(envelope.message.slice(0, 4096)) : null
  }
}

/** One step of a classification, for `explain()`: a rule tried, or the status the body claims, or the fallback. */
export interface TrailStep {
  stage: 'user' | 'status-hint' | 'default' | 'wording' | 'fallback'
  rule: string
  matched: boolean
}

/** What explain() shows: every step tried, and the evidence weighed with the margin the winner had. */
export interface Working {
  trail: TrailStep[]
  evidence: Evidence[]
  margin: number | null
}

interface Candidate {
  evidence: Evidence
  rule?: Rule
}

function ruleEvidence (compiledRule: CompiledRule): Candidate {
  const { rule, weight, reads } = compiledRule
  return { evidence: { kind: 'rule', name: rule.name, status: rule.status, weight, reads, provider: rule.provider ?? null }, rule }
}

/** The heaviest candidate; on a tie, the body's own claim, else the one met first. The margin is over the next status. */
function heaviest (candidates: Candidate[]): { winner: Candidate, margin: number | null } {
  let winner = candidates[0]
  for (const candidate of candidates) {
    if (candidate.evidence.weight > winner.evidence.weight) winner = candidate
  }
  let runnerUp: number | null = null
  for (const candidate of candidates) {
    if (candidate.evidence.status !== winner.evidence.status && (runnerUp === null || candidate.evidence.weight > runnerUp)) runnerUp = candidate.evidence.weight
  }
  return { winner, margin: runnerUp === null ? null : winner.evidence.weight - runnerUp }
}

/**
 * The decision for an envelope: the first user rule that matches, else the heaviest of the evidence (the status the
 * body claims, the default rules that match, wording that says the client erred), else the fallback status. A weak
 * envelope (a bare message) and `fallbackStatus: 'leave'` get no fallback: null means "leave the response alone".
 */
export function classifyEnvelope (envelope: Envelope, table: Table, working?: Working): Decision | null {
  const facts: Facts = factsOf(envelope, table.maxMessageChars)
  const trail = working?.trail
  for (const compiledRule of table.userRules) {
    const matched = compiledRule.test(facts)
    trail?.push({ stage: 'user', rule: compiledRule.rule.name, matched })
    if (matched) {
      working?.evidence.push({ kind: 'user', name: compiledRule.rule.name, status: compiledRule.rule.status, weight: 100, reads: 'user rule', provider: null })
      return decide(envelope, compiledRule.rule.status, compiledRule.rule.name, compiledRule.rule)
    }
  }
  const candidates: Candidate[] = []
  if (envelope.hint !== undefined) {
    trail?.push({ stage: 'status-hint', rule: 'status-hint', matched: true })
    candidates.push({ evidence: { kind: 'claim', name: 'status-hint', status: envelope.hint, weight: envelope.hintStrong ? CLAIM_WEIGHT : SIDE_CLAIM_WEIGHT, reads: envelope.hintFrom ?? 'status', provider: null } })
  }
  for (const [field, name] of [['code', facts.code], ['type', facts.type]] as const) {
    const status = name === undefined ? undefined : REASONS.get(name)
    if (status !== undefined) {
      trail?.push({ stage: 'status-hint', rule: 'reason-phrase', matched: true })
      candidates.push({ evidence: { kind: 'claim', name: 'reason-phrase', status, weight: REASON_WEIGHT, reads: field, provider: null } })
      break
    }
  }
  // The leader so far: a rule of no more weight (ties go to the one met first) cannot win. Only a rule that agrees
  // with a leading claim still matters, the heaviest one, for the type it names. explain() tries every rule.
  let leader: Candidate | undefined = candidates.length === 0 ? undefined : heaviest(candidates).winner
  let agreeingFound = false
  for (const compiledRule of table.defaultRules) {
    if (working === undefined && leader !== undefined && compiledRule.weight <= leader.evidence.weight) {
      if (leader.rule !== undefined || agreeingFound) break
      if (compiledRule.rule.status !== leader.evidence.status) continue
    }
    const matched = compiledRule.test(facts)
    trail?.push({ stage: 'default', rule: compiledRule.rule.name, matched })
    if (!matched) continue
    const candidate = ruleEvidence(compiledRule)
    candidates.push(candidate)
    if (leader === undefined || candidate.evidence.weight > leader.evidence.weight) leader = candidate
    else if (leader.rule === undefined && candidate.evidence.status === leader.evidence.status) agreeingFound = true
  }
  if (candidates.length === 0) {
    if (CLIENT_WORDING.test(facts.message)) {
      trail?.push({ stage: 'wording', rule: 'client-wording', matched: true })
      working?.evidence.push({ kind: 'wording', name: 'client-wording', status: 400, weight: CLIENT_WORDING_WEIGHT, reads: 'message', provider: null })
      return decide(envelope, 400, 'client-wording')
    }
    if (envelope.weak || table.fallbackStatus === 'leave') return null
    trail?.push({ stage: 'fallback', rule: 'fallback', matched: true })
    working?.evidence.push({ kind: 'fallback', name: 'fallback', status: table.fallbackStatus, weight: 0, reads: 'nothing known', provider: null })
    return decide(envelope, table.fallbackStatus, 'fallback')
  }
  const { winner, margin } = heaviest(candidates)
  if (working !== undefined) {
    working.evidence.push(...candidates.map((candidate) => candidate.evidence).sort((a, b) => b.weight - a.weight))
    working.margin = margin
  }
  if (winner.rule !== undefined) return decide(envelope, winner.rule.status, winner.evidence.name, winner.rule)
  // The body's own status decides; the heaviest rule that agrees with it still names the type and retryability.
  const agreeing = candidates.filter((candidate) => candidate.rule !== undefined && candidate.evidence.status === winner.evidence.status)
  return decide(envelope, winner.evidence.status, winner.evidence.name, agreeing.length === 0 ? undefined : heaviest(agreeing).winner.rule)
}

export function parse (body: unknown): unknown {
  if (typeof body === 'string' || Buffer.isBuffer(body)) {
    try {
      return JSON.parse(body.toString())
    } catch {
      return undefined
    }
  }
  return body
}

/**
 * Classify a response body (a parsed value, a JSON string or a Buffer): the status, type, code, message and param
 * it should leave with, and the rule that decided; null when it is not an error (or is to be left alone).
 */
export function classifyBody (body: unknown, table: Table, working?: Working): Decision | null {
  const envelope = findEnvelope(parse(body), table.extractors)
  return envelope === null ? null : classifyEnvelope(envelope, table, working)
}
