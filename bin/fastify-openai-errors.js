#!/usr/bin/env node
'use strict'

// npx fastify-openai-errors explain '<json>'    (or the body on stdin)
// Shows how the mapping table decides a body: the envelope found, the status and the rules tried.

const { explain, defaultRules } = require('..')

// A default rule can match a body whose own status decides (`status-hint`): it says another status then.
const DEFAULT_STATUS = new Map(defaultRules.map((rule) => [rule.name, rule.status]))

const USAGE = `usage: fastify-openai-errors explain [--json] [--all] ['<response body>']
  Reads the body from the argument, or from stdin when there is none.
  --json  print the explanation as JSON
  --all   list every rule tried, not just the one that decided`

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
  if (command !== 'explain') {
    process.stderr.write(USAGE + '\n')
    return command === '--help' || command === '-h' ? 0 : 2
  }
  const flags = new Set(rest.filter((arg) => arg.startsWith('--')))
  const args = rest.filter((arg) => !arg.startsWith('--'))
  const text = args.length > 0 ? args.join(' ') : await readStdin()
  let body
  try {
    body = JSON.parse(text)
  } catch (error) {
    process.stderr.write(`not JSON: ${error.message}\n`)
    return 2
  }
  const explanation = explain(body)
  process.stdout.write((flags.has('--json') ? JSON.stringify(explanation, null, 2) : render(explanation, flags.has('--all'))) + '\n')
  return 0
}

main(process.argv.slice(2)).then((code) => { process.exitCode = code })
