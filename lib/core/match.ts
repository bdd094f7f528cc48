import type { Envelope, Rule, TextMatcher } from './types'

/** A rule turned into one test over an envelope and its bounded, lower-cased message. */
export interface CompiledRule {
  rule: Rule
  test: (envelope: Envelope, message: string, lowerMessage: string) => boolean
}

type Test = CompiledRule['test']

function list<T> (value: T | ReadonlyArray<T>): T[] {
  return Array.isArray(value) ? [...value] : [value as T]
}

// A global or sticky RegExp keeps state between test() calls; matching must not.
function stateless (pattern: RegExp): RegExp {
  return pattern.global || pattern.sticky ? new RegExp(pattern.source, pattern.flags.replace(/[gy]/g, '')) : pattern
}

function textTest (matcher: TextMatcher, pick: (envelope: Envelope) => string | undefined): Test {
  const patterns = list(matcher).map((m) => (typeof m === 'string' ? m : stateless(m)))
  return (envelope) => {
    const value = pick(envelope)
    if (value === undefined) return false
    for (const pattern of patterns) {
      if (typeof pattern === 'string' ? value === pattern : pattern.test(value)) return true
    }
    return false
  }
}

function messageTest (matcher: TextMatcher): Test {
  // Strings match case-insensitively anywhere in the message; RegExps are tested as given.
  const patterns = list(matcher).map((m) => (typeof m === 'string' ? m.toLowerCase() : stateless(m)))
  return (_envelope, message, lowerMessage) => {
    for (const pattern of patterns) {
      if (typeof pattern === 'string' ? lowerMessage.includes(pattern) : pattern.test(message)) return true
    }
    return false
  }
}

function codeTest (matcher: NonNullable<Rule['code']>): Test {
  const codes = new Set(list(matcher).map(String))
  return (envelope) => envelope.code !== undefined && codes.has(String(envelope.code))
}

function hintTest (matcher: NonNullable<Rule['hint']>): Test {
  const hints = new Set(list(matcher).map(String))
  return (envelope) =>
    (envelope.hint !== undefined && hints.has(String(envelope.hint))) ||
    (envelope.statusName !== undefined && hints.has(envelope.statusName))
}

export function compileRule (rule: Rule): CompiledRule {
  const tests: Test[] = []
  if (rule.type !== undefined) tests.push(textTest(rule.type, (envelope) => envelope.type))
  if (rule.code !== undefined) tests.push(codeTest(rule.code))
  if (rule.message !== undefined) tests.push(messageTest(rule.message))
  if (rule.hint !== undefined) tests.push(hintTest(rule.hint))
  if (rule.when !== undefined) {
    const when = rule.when
    tests.push((envelope) => when(envelope) === true)
  }
  const test: Test = tests.length === 1
    ? tests[0]
    : (envelope, message, lowerMessage) => tests.every((t) => t(envelope, message, lowerMessage))
  return { rule, test }
}
