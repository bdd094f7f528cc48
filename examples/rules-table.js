'use strict'

// Prints the default mapping table as Markdown, in the order the rules are tried: the table in README.md
// is this script's output (`node examples/rules-table.js`), and a test checks that they agree.

const { defaultRules } = require('fastify-openai-errors')

// Rule names start with the provider whose behaviour they come from.
const GROUPS = {
  litellm: 'LiteLLM proxy',
  openai: 'OpenAI, Azure OpenAI',
  azure: 'OpenAI, Azure OpenAI',
  anthropic: 'Anthropic',
  google: 'Google Gemini / Vertex AI',
  mistral: 'Mistral',
  groq: 'Groq',
  tgi: 'Hugging Face TGI',
  llamacpp: 'llama.cpp server',
  vllm: 'vLLM / sglang',
  ollama: 'Ollama',
  openrouter: 'OpenRouter',
  bedrock: 'AWS Bedrock',
  type: 'Any provider: error type',
  any: 'Any provider: message wording'
}

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
    const prefix = rule.name.split('.')[0]
    const group = GROUPS[prefix] ?? prefix
    lines.push(`| ${group === previous ? '' : group} | \`${rule.name}\` | ${matcher(rule)} | ${rule.status} |`)
    previous = group
  }
  return lines.join('\n')
}

module.exports = { rulesTable }

if (require.main === module) console.log(rulesTable())
