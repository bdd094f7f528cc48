'use strict'

// Prints the default mapping table as Markdown, one provider pack after another, with each rule's weight-giving
// matchers and its status (docs/default-rules.md is the full page, made by `npm run docs`).
// Filter it to make a table of your own: `rulesTable(defaultRules.filter((rule) => rule.provider !== 'generic'))`.

const { defaultRules } = require('fastify-openai-errors')

const list = (value) => (Array.isArray(value) ? value : [value])
const show = (value) => (value instanceof RegExp ? String(value) : JSON.stringify(value))
const cell = (text) => '`' + text.replace(/\|/g, '\\|') + '`'

function matcher (rule) {
  const parts = []
  for (const key of ['type', 'code', 'hint', 'message']) {
    if (rule[key] !== undefined) parts.push(`${key} ${list(rule[key]).map((v) => cell(show(v))).join(', ')}`)
  }
  if (rule.when !== undefined) parts.push('a `when` predicate')
  return parts.join('; ')
}

function rulesTable (rules = defaultRules) {
  const lines = ['| provider | rule | matches | status |', '|---|---|---|---|']
  let previous
  for (const rule of rules) {
    lines.push(`| ${rule.provider === previous ? '' : rule.provider} | \`${rule.name}\` | ${matcher(rule)} | ${rule.status} |`)
    previous = rule.provider
  }
  return lines.join('\n')
}

module.exports = { rulesTable }

if (require.main === module) console.log(rulesTable())
