import type { Envelope, Rule, TextMatcher } from '../types'
import { canonicalName, normaliseName } from './names'

// A rule compiled once: one test over an envelope, and the weight of what it reads. Names (types, codes, status
// names) are compared in one spelling (names.ts), so `NotFound`, `NOT_FOUND` and `not_found` are the same name.

/** What a classification reads of an envelope, worked out once for all the rules. */
export interface Facts {
  envelope: Envelope
  /** The message, cut to maxMessageChars, and lower-cased. */
  message: string
  lower: string
  type: string | undefined
  code: string | undefined
}

export function factsOf (envelope: Envelope, maxMessageChars: number): Facts {
  const message = envelope.message.length > maxMessageChars ? envelope.message.slice(0, maxMessageChars) : envelope.message
  return {
    envelope,
    message,
    lower: message.toLowerCase(),
    type: envelope.type === undefined ? undefined : normaliseName(envelope.type),
    code: envelope.code === undefined ? undefined : typeof envelope.code === 'number' ? String(envelope.code) : normaliseName(envelope.code)
  }
}

/** A rule turned into one test over the facts of an envelope, with its weight. */
export interface CompiledRule {
  rule: Rule
  /** How strong its evidence is (0-100): from what it reads, unless the rule says. */
  weight: number
  /** What it reads, for explain(): `code+message`. */
  reads: string
  test: (facts: Facts) => boolean
}

type Test = CompiledRule['test']

// The weight of each kind of evidence a rule can read: a canonical status name or a provider's code says most,
// a type less, wording least. Every matcher after the first adds a little: two things agreeing are more specific.
export const MATCHER_WEIGHTS = Object.freeze({ hint: 80, code: 70, type: 60, message: 50, when: 50 })
export const EXTRA_MATCHER_WEIGHT = 10

function list<T> (value: T | ReadonlyArray<T>): T[] {
  return Array.isArray(value) ? [...value] : [value as T]
}

// A global or sticky RegExp keeps state between test() calls; matching must not.
function stateless (pattern: RegExp): RegExp {
  return pattern.global || pattern.sticky ? new RegExp(pattern.source, pattern.flags.replace(/[gy]/g, '')) : pattern
}

function typeTest (matcher: TextMatcher): Test {
  const patterns = list(matcher).map((m) => (typeof m === 'string' ? normaliseName(m) : stateless(m)))
  return (facts) => {
    const raw = facts.envelope.type
    if (raw === undefined) return false
    for (const pattern of patterns) {
      if (typeof pattern === 'string' ? facts.type === pattern : pattern.test(raw)) return true
    }
    return false
  }
}

function messageTest (matcher: TextMatcher): Test {
  // Strings match case-insensitively anywhere in the message; RegExps are tested as given.
  const patterns = list(matcher).map((m) => (typeof m === 'string' ? m.toLowerCase() : stateless(m)))
  return (facts) => {
    for (const pattern of patterns) {
      if (typeof pattern === 'string' ? facts.lower.includes(pattern) : pattern.test(facts.message)) return true
    }
    return false
  }
}

function codeTest (matcher: NonNullable<Rule['code']>): Test {
  const codes = new Set(list(matcher).map((code) => (typeof code === 'number' ? String(code) : normaliseName(code))))
  return (facts) => facts.code !== undefined && codes.has(facts.code)
}

function hintTest (matcher: NonNullable<Rule['hint']>): Test {
  const statuses = new Set<number>()
  const names = new Set<string>()
  for (const hint of list(matcher)) {
    if (typeof hint === 'number' || /^\d+$/.test(hint)) statuses.add(Number(hint))
    else names.add(canonicalName(hint) ?? hint)
  }
  return (facts) =>
    (facts.envelope.hint !== undefined && statuses.has(facts.envelope.hint)) ||
    (facts.envelope.statusName !== undefined && names.has(facts.envelope.statusName))
}

export function compileRule (rule: Rule): CompiledRule {
  const tests: Test[] = []
  const weights: number[] = []
  if (rule.hint !== undefined) { tests.push(hintTest(rule.hint)); weights.push(MATCHER_WEIGHTS.hint) }
  if (rule.code !== undefined) { tests.push(codeTest(rule.code)); weights.push(MATCHER_WEIGHTS.code) }
  if (rule.type !== undefined) { tests.push(typeTest(rule.type)); weights.push(MATCHER_WEIGHTS.type) }
  if (rule.message !== undefined) { tests.push(messageTest(rule.message)); weights.push(MATCHER_WEIGHTS.message) }
  if (rule.when !== undefined) {
    const when = rule.when
    tests.push((facts) => when(facts.envelope) === true)
    weights.push(MATCHER_WEIGHTS.when)
  }
  const test: Test = tests.length === 1 ? tests[0] : (facts) => tests.every((t) => t(facts))
  const weight = rule.weight ?? Math.min(99, Math.max(...weights) + EXTRA_MATCHER_WEIGHT * (weights.length - 1))
  const reads = (['hint', 'code', 'type', 'message', 'when'] as const).filter((key) => rule[key] !== undefined).join('+')
  return { rule, weight, reads, test }
}
