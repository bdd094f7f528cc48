#!/usr/bin/env node
'use strict'

// npx fastify-openai-errors explain '<json>'    (or the body on stdin)
// Shows how the mapping table decides a body: the envelope found, the status and the rules tried.

const { explain } = require('..')
const { didYouMean } = require('../dist/suggest.js')
const { version } = require('../package.json')

const USAGE = `usage: fastify-openai-errors explain [--json] [--all] ['<response body>']
       fastify-openai-errors --help | --version
  explain    how the mapping table decides a response body: the envelope found, the status, and the evidence
             weighed (each piece's weight and what it read).
             Reads the body from the argument, or from stdin when there is none.
    --json   print the explanation as JSON
    --all    list every rule tried, not only the evidence that matched`

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
  if (explanation.evidence.length > 0) {
    const margin = explanation.margin === null ? 'nothing disagreed' : `margin ${explanation.margin} over the next status`
    lines.push(`evidence, heaviest first (${margin}):`)
    for (const item of explanation.evidence) {
      const mark = decision !== null && item.name === decision.rule ? 'decided' : item.status === decision?.status ? 'agrees ' : 'outweighed'
      lines.push(`  ${mark.padEnd(10)} ${String(item.weight).padStart(3)}  ${item.status}  ${item.name} (${item.kind}, reads ${item.reads}${item.provider === null ? '' : `, ${item.provider}`})`)
    }
  }
  const tried = trail.filter((step) => !step.matched).length
  lines.push(`rules tried: ${trail.length} (${tried} did not match)`)
  if (all) {
    for (const step of trail) lines.push(`  ${step.matched ? 'match' : '  -  '}  ${step.stage.padEnd(11)} ${step.rule}`)
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
