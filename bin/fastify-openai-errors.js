#!/usr/bin/env node
'use strict'

// npx fastify-openai-errors explain '<json>'    (or the body on stdin)
// Shows how the mapping table decides a body: the envelope found, the status and the rules tried.
// npx fastify-openai-errors conformance --upstream-port PORT --gateway URL
// Sends the real-payload corpus, failing every way upstreams fail, through a gateway and checks each status.
// npx fastify-openai-errors check rules.yaml
// Checks a rules file (JSON or YAML) as loadRules() reads it.

const { explain, loadRules } = require('..')
const { didYouMean } = require('../dist/settings/suggest.js')
const { version } = require('../package.json')

const USAGE = `usage: fastify-openai-errors explain [--json] [--all] [--rules RULES_FILE] ['<response body>']
       fastify-openai-errors check RULES_FILE
       fastify-openai-errors conformance --upstream-port PORT --gateway URL [--path PATH] [--upstream-host HOST]
                                         [--json] [--all] [--only ID,ID...]
       fastify-openai-errors --help | --version
  explain    how the mapping table decides a response body: the envelope found, the status, and the evidence
             weighed (each piece's weight and what it read).
             Reads the body from the argument, or from stdin when there is none.
    --json   print the explanation as JSON
    --all    list every rule tried, not only the evidence that matched
    --rules RULES_FILE  try the file's rules first, before the default table (as the plugin's rules option)
  check      checks a rules file (JSON, or YAML) against rules.schema.json and as the plugin would:
             prints "ok: N rules (RULES_FILE)" and exits 0, or the problem (file, rule, field) and exits 1.
  conformance  starts a fake upstream on PORT (point your gateway's upstream URL at it) that fails every way
             upstreams fail, with real provider bodies; sends each case through the gateway and prints a table.
             Exit 0 when every case passes, 1 when any fails (they are named).
    --upstream-port PORT  where the fake upstream listens (required)
    --gateway URL         the gateway's base URL, e.g. http://127.0.0.1:3000 (required)
    --path PATH           the gateway path the cases are sent to (default /v1/chat/completions)
    --upstream-host HOST  the fake upstream's address (default 127.0.0.1; 0.0.0.0 for a gateway in a container)
    --json                print the results as JSON
    --all                 every corpus entry in every way (about 1500 cases) instead of the default ~60
    --only ID,ID...       only these cases (ids as the table prints them)`

const COMMANDS = ['explain', 'check', 'conformance', 'help']
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
  let [command, ...rest] = argv
  if (command === undefined || HELP.has(command)) {
    process.stdout.write(USAGE + '\n')
    return 0
  }
  if (VERSION.has(command)) {
    process.stdout.write(version + '\n')
    return 0
  }
  if (command === 'conformance') return conformance(rest)
  if (command === 'check') return check(rest)
  if (command !== 'explain') {
    const known = command.startsWith('-') ? ['--help', '--version'] : COMMANDS
    return misuse(`unknown ${command.startsWith('-') ? 'option' : 'command'} ${JSON.stringify(command)}${didYouMean(command, known)}`)
  }
  const withRules = rulesOption(rest)
  if (typeof withRules === 'number') return withRules
  const { rules } = withRules
  rest = withRules.rest
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
  const explanation = explain(body, rules === undefined ? undefined : { rules })
  process.stdout.write((flags.has('--json') ? JSON.stringify(explanation, null, 2) : render(explanation, flags.has('--all'))) + '\n')
  return 0
}

/** A rules file's rules, or the exit code after saying why not: 1 for a file the plugin would refuse. */
function readRules (file) {
  try {
    return loadRules(file)
  } catch (error) {
    process.stderr.write(`${error.message}\n`)
    return 1
  }
}

/** `--rules FILE` (or `--rules=FILE`) taken out of the arguments and loaded; an exit code when that fails. */
function rulesOption (args) {
  const at = args.findIndex((arg) => arg === '--rules' || arg.startsWith('--rules='))
  if (at === -1) return { rules: undefined, rest: args }
  const inline = args[at].startsWith('--rules=')
  const file = inline ? args[at].slice('--rules='.length) : args[at + 1]
  if (file === undefined || file === '') return misuse('--rules needs a rules file, e.g. --rules rules.yaml')
  const rules = readRules(file)
  if (typeof rules === 'number') return rules
  return { rules, rest: [...args.slice(0, at), ...args.slice(at + (inline ? 1 : 2))] }
}

function check (args) {
  if (args.includes('--help')) {
    process.stdout.write(USAGE + '\n')
    return 0
  }
  if (args.length !== 1) return misuse(args.length === 0 ? 'check needs a rules file, e.g. check rules.yaml' : `check takes one rules file, got ${args.length} arguments`)
  const rules = readRules(args[0])
  if (typeof rules === 'number') return rules
  process.stdout.write(`ok: ${rules.length} rule${rules.length === 1 ? '' : 's'} (${args[0]})\n`)
  return 0
}

async function conformance (args) {
  const { parseConformanceArgs } = require('../dist/conformance/cli.js')
  const { runConformance, renderTable } = require('../dist/conformance/index.js')
  const parsed = parseConformanceArgs(args)
  if (parsed.kind === 'help') {
    process.stdout.write(USAGE + '\n')
    return 0
  }
  if (parsed.kind === 'misuse') return misuse(parsed.problem)
  let result
  try {
    result = await runConformance(parsed.options)
  } catch (error) {
    // A busy port or an option the kit refuses: nothing was run.
    // Prefixed with the command's name unless the kit's own error already names it.
    process.stderr.write(`${String(error.message).replace(/^(?!fastify-openai-errors)/, 'fastify-openai-errors: ')}\n`)
    return 2
  }
  process.stdout.write((parsed.json ? JSON.stringify(result, null, 2) : renderTable(result)) + '\n')
  return result.pass ? 0 : 1
}

main(process.argv.slice(2)).then((code) => { process.exitCode = code })
