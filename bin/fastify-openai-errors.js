#!/usr/bin/env node
'use strict'

// npx fastify-openai-errors explain '<json>'    (or the body on stdin)
// Shows how the mapping table decides a body: the envelope found, the status and the rules tried.

const { explain, defaultRules } = require('..')
const { didYouMean } = require('../dist/suggest.js')
const { version } = require('../package.json')

// A default rule can match a body whose own status decides (`status-hint`): it says another status then.
const DEFAULT_STATUS = new Map(defaultRules.map((rule) => [rule.name, rule.status]))

const USAGE = `usage: fastify-openai-errors explain [--json] [--all] ['<response body>']
       fastify-openai-errors --help | --version
  explain    how the mapping table decides a response body: the envelope found, the status, the rules tried.
             Reads the body from the argument, or from stdin when there is none.
    --json   print the explanation as JSON
    --all    list every rule tried, not just the one that decided`

const COMMANDS = ['explain', 'help']
const HELP = new Set(['help', '--help', '-h'])
const VERSION = new Set(['version', '--version', '-v'])
const EXPLAIN_FLAGS = ['--json', '--all']

/** Misuse: what is wrong and the usage on stderr, exit 2. */
function misuse (problem) {
  process.stderr.write(`fastify-openai-errors: ${problem}\n\n${USAGE}\n`)
  return 2
}

function show (value) {
  return value === null || value === undefined ? '-' : String(value)
}

function render (explanation, all) {
  const { envelope, decision, trail } = explanation
  if (envelope === null) return 'not an error envelope: the plugin leaves this body and its status alone'
  const lines = [
    `envelope: ${envelope.shape}${envelope.weak ? ' (weak: only a rule may remap it)' : ''}`,
    `  message: ${JSON.stringify(envelope.message.length > 200 ? envelope.message.slice(0, 200) + '...' : envelope.message)}`,
    `  type: ${show(envelope.type)}  code: ${show(envelope.code)}  status hint: ${show(envelope.hint)}  status name: ${show(envelope.statusName)}`
  ]
  if (decision === null) {
    lines.push('decision: none (no rule recognises this bare message; the response is left alone)')
  } else {
    lines.push(`decision: ${decision.status} by ${decision.rule}`)
    lines.push(`  type: ${decision.type}  code: ${show(decision.code)}  retryable: ${show(decision.retryable)}  retry after: ${decision.retryAfterMs === null ? '-' : decision.retryAfterMs + ' ms'}`)
  }
  const tried = trail.filter((step) => !step.matched).length
  lines.push(`rules tried: ${trail.length} (${tried} did not match)`)
  for (const step of trail) {
    if (!all && !step.matched) continue
    const overruled = step.matched && step.stage === 'default' && decision?.rule === 'status-hint' && DEFAULT_STATUS.get(step.rule) !== decision.status
    lines.push(`  ${step.matched ? 'match' : '  -  '}  ${step.stage.padEnd(11)} ${step.rule}${overruled ? ` (says ${DEFAULT_STATUS.get(step.rule)}; the body's own status wins)` : ''}`)
  }
  return lines.join('\n')
}

async function readStdin () {
  const chunks = []
  for await (const chunk of process.stdin) chunks.push(chunk)
  return Buffer.concat(chunks).toString('utf8')
}

async function main (argv) {
  const [command, ...rest] = argv
  if (command === undefined || HELP.has(command)) {
    process.stdout.write(USAGE + '\n')
    return 0
  }
  if (VERSION.has(command)) {
    process.stdout.write(version + '\n')
    return 0
  }
  if (command !== 'explain') {
    const known = command.startsWith('-') ? ['--help', '--version'] : COMMANDS
    return misuse(`unknown ${command.startsWith('-') ? 'option' : 'command'} ${JSON.stringify(command)}${didYouMean(command, known)}`)
  }
  const flags = new Set(rest.filter((arg) => arg.startsWith('--')))
  for (const flag of flags) {
    if (flag === '--help') {
      process.stdout.write(USAGE + '\n')
      return 0
    }
    if (!EXPLAIN_FLAGS.includes(flag)) return misuse(`unknown option ${JSON.stringify(flag)}${didYouMean(flag, EXPLAIN_FLAGS)}`)
  }
  const args = rest.filter((arg) => !arg.startsWith('--'))
  // A terminal on stdin would wait for input nobody is typing: say what to give instead.
  /* c8 ignore next */
  if (args.length === 0 && process.stdin.isTTY) return misuse('no response body: give it as an argument or on stdin')
  const text = args.length > 0 ? args.join(' ') : await readStdin()
  if (text.trim() === '') {
    return misuse('no response body: give it as an argument or on stdin, e.g. explain \'{"error":{"message":"..."}}\'')
  }
  let body
  try {
    body = JSON.parse(text)
  } catch (error) {
    process.stderr.write(`fastify-openai-errors: the response body is not JSON: ${error.message}\n`)
    return 2
  }
  const explanation = explain(body)
  process.stdout.write((flags.has('--json') ? JSON.stringify(explanation, null, 2) : render(explanation, flags.has('--all'))) + '\n')
  return 0
}

main(process.argv.slice(2)).then((code) => { process.exitCode = code })
