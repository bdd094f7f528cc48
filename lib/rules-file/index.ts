import { readFileSync } from 'node:fs'
import { extname, join } from 'node:path'
import type { ErrorObject, ValidateFunction } from 'ajv'
import type { Rule } from '../../index'
import { InvalidRulesFileError } from '../settings/errors'
import { problemOf } from './problem'

// Rules as data: a JSON or YAML file checked against rules.schema.json, its message patterns turned into RegExps.
// The result is a list of code rules: the plugin checks and compiles them at registration like any other.
// yaml and ajv are required here, on the first call, so an app that never loads a file never loads them.

/** A rule as a file gives it: a code rule whose message is a RegExp source, with its flags beside it. */
type FileRule = Omit<Rule, 'message' | 'when'> & { message?: string | string[], flags?: string }

let validate: ValidateFunction | undefined

/** The schema compiled once per process, on first use. */
function validator (): ValidateFunction {
  if (validate === undefined) {
    const Ajv = require('ajv') as typeof import('ajv').default
    const schema = require(join(__dirname, '..', '..', 'rules.schema.json')) as object
    validate = new Ajv({ allErrors: false, allowUnionTypes: true }).compile(schema)
  }
  return validate
}

const isJson = (file: string): boolean => extname(file).toLowerCase() === '.json'

function parse (text: string, file: string): unknown {
  if (isJson(file)) return JSON.parse(text)
  const { parse: parseYaml } = require('yaml') as typeof import('yaml')
  return parseYaml(text)
}

/** The code form of a file rule: each message source compiled with the rule's flags; a source that does not compile fails. */
function toRule (rule: FileRule, index: number, fail: (problem: string) => never): Rule {
  const { message, flags, ...rest } = rule
  if (message === undefined) return rest as Rule
  const compile = (source: string, item: string): RegExp => {
    try {
      return new RegExp(source, flags)
    } catch (error) {
      return fail(`rules[${index}].message${item}: is not a valid RegExp: ${(error as Error).message}`)
    }
  }
  return { ...rest, message: Array.isArray(message) ? message.map((source, i) => compile(source, `[${i}]`)) : compile(message, '') } as Rule
}

/**
 * The rules in a JSON (`.json`) or YAML (any other name) file: a list of rules, or `{ rules: [...] }`.
 * Throws FST_OPENAI_ERRORS_INVALID_RULES_FILE naming the file, the rule's index and the field.
 */
export function loadRules (file: string): Rule[] {
  const fail = (problem: string): never => { throw new InvalidRulesFileError(file, problem) }
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (error) {
    return fail(`cannot be read: ${(error as Error).message}`)
  }
  let document: unknown
  try {
    document = parse(text, file)
  } catch (error) {
    return fail(`is not valid ${isJson(file) ? 'JSON' : 'YAML'}: ${(error as Error).message}`)
  }
  const check = validator()
  if (!check(document)) return fail(problemOf(check.errors as ErrorObject[], document))
  const rules = (Array.isArray(document) ? document : (document as { rules: FileRule[] }).rules) as FileRule[]
  return rules.map((rule, index) => toRule(rule, index, fail))
}
