'use strict'

// npm run docs            regenerate the generated parts of docs/ from the built package
// npm run docs -- --check  exit 1, naming each stale page, when a committed page differs from what the code generates
//
// docs/default-rules.md: the table between its generated:default-rules markers is rendered from `defaultRules`,
// one row per rule, in the order the rules are tried. Text outside the markers is hand-written and kept.

const fs = require('node:fs')
const path = require('node:path')

const ROOT = path.join(__dirname, '..')
const PAGE = 'docs/default-rules.md'
const START = '<!-- generated:default-rules:start -->'
const END = '<!-- generated:default-rules:end -->'

// Written once, when the page does not exist yet; after that the page's own text outside the markers is kept.
const INTRO = `# Default rules

The built-in mapping table, one row per rule, in the order the rules are tried. [Back to the README](../README.md)

This table is generated from \`defaultRules\` by \`npm run docs\`; do not edit it by hand.
`

const list = (value) => (Array.isArray(value) ? value : [value])
/** Text for a table cell: no line breaks, and `|` escaped so that it cannot end the cell (also inside backticks). */
const cellText = (text) => String(text).replace(/\r?\n/g, ' ').replace(/\|/g, '\\|')
const code = (text) => '`' + cellText(text) + '`'
const show = (value) => (value instanceof RegExp ? String(value) : JSON.stringify(value))

function provider (rule) {
  return typeof rule.provider === 'string' && rule.provider !== '' ? rule.provider : rule.name.split('.')[0]
}

function matches (rule) {
  const parts = []
  for (const key of ['type', 'code', 'message', 'hint']) {
    if (rule[key] !== undefined) parts.push(`${key} ${list(rule[key]).map((value) => code(show(value))).join(', ')}`)
  }
  if (rule.when !== undefined) parts.push('a `when` predicate')
  return parts.join('; ')
}

function errorFields (rule) {
  if (rule.errorType === undefined && rule.errorCode === undefined) return ''
  return `${rule.errorType === undefined ? '-' : code(rule.errorType)} / ${rule.errorCode === undefined ? '-' : code(rule.errorCode)}`
}

function source (rule) {
  if (rule.source === undefined || rule.source === null || rule.source === '') return ''
  const text = String(rule.source)
  return /^https?:\/\/\S+$/.test(text) ? `<${text}>` : cellText(text)
}

/** The generated table for these rules: a Markdown table, one row per rule, in order. */
function renderDefaultRules (defaultRules) {
  const lines = [
    '| # | name | provider | matches | status | errorType / errorCode | retryable | source |',
    '|---|---|---|---|---|---|---|---|'
  ]
  defaultRules.forEach((rule, index) => {
    const retryable = rule.retryable === undefined ? '' : code(rule.retryable)
    lines.push(`| ${index + 1} | ${code(rule.name)} | ${cellText(provider(rule))} | ${matches(rule)} | ${rule.status} | ${errorFields(rule)} | ${retryable} | ${source(rule)} |`)
  })
  return lines.join('\n')
}

/** The page with its generated part rendered from these rules; a page without the markers gets them appended. */
function pageWith (current, defaultRules) {
  const generated = `${START}\n${renderDefaultRules(defaultRules)}\n${END}`
  if (current === null) return `${INTRO}\n${generated}\n`
  const start = current.indexOf(START)
  const end = current.indexOf(END, start)
  if (start === -1 || end === -1) return `${current.replace(/\n*$/, '\n\n')}${generated}\n`
  return current.slice(0, start) + generated + current.slice(end + END.length)
}

function read (file) {
  try {
    return fs.readFileSync(file, 'utf8')
  } catch (error) {
    if (error.code === 'ENOENT') return null
    throw error
  }
}

/** The rules of the built package (`npm run docs` builds it first). */
function builtRules () {
  return require('..').defaultRules
}

/**
 * The generated pages that differ from what these rules generate, as paths relative to the repository (empty when
 * every page is current). `root` is the repository the pages are read from.
 */
function check (defaultRules = builtRules(), root = ROOT) {
  const current = read(path.join(root, PAGE))
  return current !== null && current === pageWith(current, defaultRules) ? [] : [PAGE]
}

/** Write every generated page; returns the pages that changed. */
function write (defaultRules = builtRules(), root = ROOT) {
  const file = path.join(root, PAGE)
  const current = read(file)
  const next = pageWith(current, defaultRules)
  if (next === current) return []
  fs.mkdirSync(path.dirname(file), { recursive: true })
  fs.writeFileSync(file, next)
  return [PAGE]
}

function main (argv) {
  if (argv.includes('--check')) {
    const stale = check()
    for (const page of stale) process.stderr.write(`${page} is stale: it differs from what the code generates; run \`npm run docs\`\n`)
    if (stale.length === 0) process.stdout.write('docs: every generated page is current\n')
    return stale.length === 0 ? 0 : 1
  }
  const changed = write()
  process.stdout.write(changed.length === 0 ? 'docs: every generated page is current\n' : `docs: wrote ${changed.join(', ')}\n`)
  return 0
}

module.exports = { renderDefaultRules, check, write, pageWith, START, END, PAGE }

if (require.main === module) process.exitCode = main(process.argv.slice(2))
