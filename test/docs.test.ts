import t from 'tap'
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, relative, resolve } from 'node:path'
import ts from 'typescript'
import type { Rule } from '../index'

const root = join(__dirname, '..')

// lib/index.ts assigns module.exports (the Fastify plugins' CommonJS pattern), so it is required, not imported; the
// sources, not dist/, so that this test needs no build.
const { defaultRules }: { defaultRules: readonly Rule[] } = require('../lib/index')
const docsScript: {
  renderDefaultRules: (rules: readonly Rule[]) => string
  check: (rules?: readonly Rule[], root?: string) => string[]
  PAGE: string
  START: string
  END: string
} = require('../scripts/docs.js')

const docPages = readdirSync(join(root, 'docs')).filter((file) => file.endsWith('.md')).sort().map((file) => `docs/${file}`)
/** The pages whose links must resolve, and the pages whose code samples must compile. */
const linkedPages = ['README.md', 'SECURITY.md', 'BENCHMARKS.md', ...docPages]
const samplePages = ['README.md', ...docPages]

const read = (page: string): string => readFileSync(join(root, page), 'utf8')

interface Block { page: string, line: number, lang: string, code: string, optOut: string | null }
interface Parsed { blocks: Block[], prose: string }

const OPENING_FENCE = /^(\s*)(`{3,}|~{3,})\s*([^\s`]*)[^`]*$/
const NOT_CHECKED = /^<!--\s*not-checked:(.*?)-->$/

/**
 * A page's fenced code blocks (with the opt-out comment on the line right before each, if any), and its prose: the
 * page with every code block and every inline code span blanked out, line breaks kept, so links and headings inside
 * code are not taken for real ones and positions still give line numbers.
 */
function parse (page: string, text: string): Parsed {
  const lines = text.split('\n')
  const blocks: Block[] = []
  const prose: string[] = []
  let open: { fence: string, indent: number, lang: string, line: number, body: string[], optOut: string | null } | null = null
  lines.forEach((line, index) => {
    if (open !== null) {
      const close = /^\s*(`{3,}|~{3,})\s*$/.exec(line)
      if (close !== null && close[1][0] === open.fence[0] && close[1].length >= open.fence.length) {
        blocks.push({ page, line: open.line, lang: open.lang, code: open.body.join('\n') + '\n', optOut: open.optOut })
        open = null
      } else {
        open.body.push(line.slice(Math.min(open.indent, /^\s*/.exec(line)?.[0].length ?? 0)))
      }
      prose.push('')
      return
    }
    const fence = OPENING_FENCE.exec(line)
    if (fence !== null) {
      const optOut = NOT_CHECKED.exec((lines[index - 1] ?? '').trim())
      open = { fence: fence[2], indent: fence[1].length, lang: fence[3].toLowerCase(), line: index + 1, body: [], optOut: optOut === null ? null : optOut[1].trim() }
      prose.push('')
      return
    }
    prose.push(line)
  })
  if (open !== null) throw new Error(`${page}:${(open as { line: number }).line}: a code block is never closed`)
  // Inline code spans (which may run over a line break) become spaces.
  const text_ = prose.join('\n').replace(/(`+)(?:(?!\1)[^`]|`(?!\1))+?\1/g, (span) => span.replace(/[^\n]/g, ' '))
  return { blocks, prose: text_ }
}

/** GitHub's anchor for a heading: lower case, punctuation other than `-` and `_` removed, spaces to `-`. */
function slug (heading: string): string {
  return heading
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/<[^>]*>/g, '')
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '')
    .replace(/ /g, '-')
}

/** Every anchor a page has: its headings' slugs (a repeated one numbered as GitHub does) and HTML ids. */
function anchorsOf (text: string): Set<string> {
  const anchors = new Set<string>()
  const seen = new Map<string, number>()
  // Headings are read from the page with its code blocks blanked, but with inline code kept (`## \`openaiError()\``).
  const withoutBlocks = text.split('\n')
  let fence: string | null = null
  for (const line of withoutBlocks) {
    const marker = /^\s*(`{3,}|~{3,})/.exec(line)
    if (marker !== null && (fence === null || (marker[1][0] === fence[0] && marker[1].length >= fence.length && /^\s*[`~]+\s*$/.test(line)))) {
      fence = fence === null ? marker[1] : null
      continue
    }
    if (fence !== null) continue
    const heading = /^ {0,3}#{1,6}\s+(.*?)(?:\s+#+)?\s*$/.exec(line)
    if (heading !== null) {
      const base = slug(heading[1])
      const count = seen.get(base) ?? 0
      seen.set(base, count + 1)
      anchors.add(count === 0 ? base : `${base}-${count}`)
    }
    for (const id of line.matchAll(/<a\s+(?:id|name)="([^"]+)"/g)) anchors.add(id[1])
  }
  return anchors
}

const LINK_PATTERNS = [
  /\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g, // [text](target "title"), ![alt](src)
  /^ {0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)/gm, // [label]: target
  /\b(?:href|src)="([^"]+)"/g // <a href="...">, <img src="...">
]

/** What is wrong with each relative link of a page (its path relative to the repository): a missing file or heading. */
function linkProblems (page: string, text: string): string[] {
  const { prose } = parse(page, text)
  const problems: string[] = []
  for (const pattern of LINK_PATTERNS) {
    for (const match of prose.matchAll(pattern)) {
      const target = match[1]
      if (/^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith('//')) continue
      const line = prose.slice(0, match.index).split('\n').length
      const hash = target.indexOf('#')
      const path = decodeURIComponent(hash === -1 ? target : target.slice(0, hash))
      const anchor = hash === -1 ? null : decodeURIComponent(target.slice(hash + 1))
      // A link to an anchor of the page itself is looked up in the text given.
      const file = path === '' ? join(root, page) : resolve(join(root, dirname(page)), path)
      const shown = relative(root, file)
      if (path !== '' && !existsSync(file)) {
        problems.push(`${page}:${line}: ${target}: ${shown} does not exist`)
      } else if (anchor !== null && file.endsWith('.md') && !anchorsOf(path === '' ? text : readFileSync(file, 'utf8')).has(anchor)) {
        problems.push(`${page}:${line}: ${target}: ${shown} has no heading #${anchor}`)
      }
    }
  }
  return problems
}

t.test('every relative link in the README, SECURITY.md, BENCHMARKS.md and docs/ resolves, #anchors to a heading', async (t) => {
  t.ok(docPages.length >= 10, `docs/ has its pages: ${docPages.join(', ')}`)
  t.same(linkedPages.flatMap((page) => linkProblems(page, read(page))), [])
})

t.test('the link check reports a missing file and a missing heading, and not links inside code', async (t) => {
  const page = [
    '# A page',
    '[fine](handlers.md#per-route-config), [fine too](#a-page), [the README](../README.md#options-at-a-glance)',
    '[gone](no-such-page.md) and [no heading](handlers.md#no-such-heading)',
    'and [no anchor here](#nowhere).',
    '`[in code](not-checked.md)`',
    '```js',
    '// [in a block](not-checked-either.md)',
    '```'
  ].join('\n')
  t.same(linkProblems('docs/example.md', page), [
    'docs/example.md:3: no-such-page.md: docs/no-such-page.md does not exist',
    'docs/example.md:3: handlers.md#no-such-heading: docs/handlers.md has no heading #no-such-heading',
    'docs/example.md:4: #nowhere: docs/example.md has no heading #nowhere'
  ])
})

t.test('headings get GitHub\'s anchors: lower case, punctuation dropped, spaces to dashes, repeats numbered', async (t) => {
  const anchors = anchorsOf('# Observability: `onNormalize`\n## `@fastify/reply-from`\n## Retry hints\n### Retry hints\n## snake_case & more!\n')
  t.same([...anchors], ['observability-onnormalize', 'fastifyreply-from', 'retry-hints', 'retry-hints-1', 'snake_case--more'])
})

t.test('docs/default-rules.md holds the table scripts/docs.js renders from the current defaultRules', async (t) => {
  const { renderDefaultRules, check, PAGE, START, END } = docsScript
  const page = read(PAGE)
  const start = page.indexOf(START)
  const end = page.indexOf(END)
  t.ok(start !== -1 && end > start, 'the page has its generated:default-rules markers')
  t.equal(page.slice(start + START.length, end).trim(), renderDefaultRules(defaultRules), 'regenerate it with npm run docs')
  t.same(check(defaultRules), [], 'check() finds it current')
  t.equal(renderDefaultRules(defaultRules).split('\n').length, defaultRules.length + 2, 'a header, a separator and one row per rule')
})

t.test('the default-rules page is stale as soon as a rule changes, and check() names it', async (t) => {
  const { renderDefaultRules, check, PAGE } = docsScript
  const changed = defaultRules.map((rule, index) => (index === 0 ? { ...rule, status: rule.status === 400 ? 401 : 400 } : rule))
  t.not(renderDefaultRules(changed), renderDefaultRules(defaultRules))
  t.same(check(changed), [PAGE])
  t.same(check(defaultRules.slice(1)), [PAGE], 'a rule removed')
  const elsewhere = mkdtempSync(join(tmpdir(), 'fastify-openai-errors-docs-check-'))
  t.teardown(() => rmSync(elsewhere, { recursive: true, force: true }))
  t.same(check(defaultRules, elsewhere), [PAGE], 'a missing page')
  mkdirSync(join(elsewhere, 'docs'))
  writeFileSync(join(elsewhere, PAGE), '# Default rules\n\nNo markers.\n')
  t.same(check(defaultRules, elsewhere), [PAGE], 'a page without the markers')
})

t.test('a rule renders its name, provider, matchers, status, errorType / errorCode, retryable and source', async (t) => {
  const rows = docsScript.renderDefaultRules([
    { name: 'acme.pipes', message: /a|b/i, code: [429, 'x'], status: 429, errorType: 'rate_limit_error', retryable: false },
    { name: 'plain', provider: 'Acme Cloud', type: 'busy', hint: 'UNAVAILABLE', when: () => true, status: 503, source: 'https://example.com/errors' } as Rule
  ]).split('\n').slice(2)
  t.same(rows, [
    '| 1 | `acme.pipes` | acme | code `429`, `"x"`; message `/a\\|b/i` | 429 | `rate_limit_error` / - | `false` |  |',
    '| 2 | `plain` | Acme Cloud | type `"busy"`; hint `"UNAVAILABLE"`; a `when` predicate | 503 |  |  | <https://example.com/errors> |'
  ])
})

// The code samples, each checked as what it is.
const blocks = samplePages.flatMap((page) => parse(page, read(page)).blocks)
const checked = blocks.filter((block) => block.optOut === null)
const tsBlocks = checked.filter((block) => block.lang === 'ts' || block.lang === 'typescript')
const jsBlocks = checked.filter((block) => block.lang === 'js' || block.lang === 'javascript')
const where = (block: Block): string => `${block.page}:${block.line}`
const fileName = (block: Block): string => `${block.page.replace(/[/.]/g, '_')}-${block.line}`

t.test('every code block names its language, and every opt-out from the checks gives a reason', async (t) => {
  t.same(blocks.filter((block) => block.lang === '').map(where), [], 'a block without a language')
  t.same(blocks.filter((block) => block.optOut === '').map(where), [], 'a not-checked comment without a reason')
  t.ok(tsBlocks.length >= 10, `${tsBlocks.length} TypeScript samples`)
  t.ok(jsBlocks.length >= 4, `${jsBlocks.length} JavaScript samples`)
})

// A consumer project in a temporary folder: its node_modules holds the package (a link to this checkout) and links to
// everything installed here, so that a sample resolves 'fastify-openai-errors' as an application does.
const work = mkdtempSync(join(tmpdir(), 'fastify-openai-errors-docs-'))
t.teardown(() => rmSync(work, { recursive: true, force: true }))
const consumerModules = join(work, 'node_modules')
mkdirSync(consumerModules)
for (const entry of readdirSync(join(root, 'node_modules'))) {
  if (!entry.startsWith('.')) symlinkSync(join(root, 'node_modules', entry), join(consumerModules, entry), 'junction')
}
symlinkSync(root, join(consumerModules, 'fastify-openai-errors'), 'junction')
writeFileSync(join(work, 'package.json'), JSON.stringify({ name: 'docs-samples', private: true, type: 'module' }))

// The compiler options of test/types/tsconfig.json (nodenext, strict), with Node's types: samples log and use timers.
const config = ts.getParsedCommandLineOfConfigFile(join(root, 'test', 'types', 'tsconfig.json'), undefined, {
  ...ts.sys,
  onUnRecoverableConfigFileDiagnostic: (diagnostic) => { throw new Error(ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n')) }
})
if (config === undefined) throw new Error('test/types/tsconfig.json could not be read')
const compilerOptions: ts.CompilerOptions = { ...config.options, types: ['node'], strict: true, noEmit: true }

// A sample that must not compile, in the same program: a misspelt option, as a stale sample would have.
const mustFail = join(work, 'must-fail.mts')
writeFileSync(mustFail, "import Fastify from 'fastify'\nimport openaiErrors from 'fastify-openai-errors'\n\nconst app = Fastify()\nawait app.register(openaiErrors, { rewriteBdy: true })\n")
const tsFiles = new Map(tsBlocks.map((block) => [join(work, `${fileName(block)}.mts`), block]))
for (const [file, block] of tsFiles) writeFileSync(file, block.code)
const program = ts.createProgram({ rootNames: [...tsFiles.keys(), mustFail], options: compilerOptions })

/** The errors tsc would print for one file, as `line: TScode message` (the library files it loads are left out). */
function errorsIn (file: string): string[] {
  const source = program.getSourceFile(file)
  if (source === undefined) throw new Error(`${file} is not in the program`)
  return [...program.getSyntacticDiagnostics(source), ...program.getSemanticDiagnostics(source)].map((diagnostic) => {
    const line = source.getLineAndCharacterOfPosition(diagnostic.start ?? 0).line + 1
    return `${line}: TS${diagnostic.code} ${ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n')}`
  })
}

t.test('every ts block type-checks under strict as an ES-module consumer of the package', async (t) => {
  t.same([...program.getOptionsDiagnostics(), ...program.getGlobalDiagnostics()].map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n')), [])
  const from = [...tsFiles.keys()][0]
  const { resolvedModule } = ts.resolveModuleName('fastify-openai-errors', from, compilerOptions, ts.sys, undefined, undefined, ts.ModuleKind.ESNext)
  t.equal(resolvedModule?.resolvedFileName, join(root, 'index.d.ts'), "'fastify-openai-errors' is this checkout's index.d.ts")
  for (const [file, block] of tsFiles) {
    // A sample's line n is the page's line block.line + n.
    t.same(errorsIn(file).map((error) => error.replace(/^(\d+):/, (_, n: string) => `${block.page}:${block.line + Number(n)}:`)), [], where(block))
  }
})

t.test('a ts sample with a misspelt option is reported, so the check above can fail', async (t) => {
  const errors = errorsIn(mustFail)
  t.equal(errors.length, 1)
  t.match(errors[0], /^5: TS\d+ [\s\S]*'rewriteBdy' does not exist/)
})

/** Whether `node --check` accepts a JavaScript sample: an ES module when it imports or exports, else CommonJS when it requires. */
function parses (name: string, code: string): { ok: boolean, stderr: string } {
  const esm = /^\s*(?:import|export)\s/m.test(code) || !/\brequire\s*\(/.test(code)
  const file = join(work, `${name}${esm ? '.mjs' : '.cjs'}`)
  writeFileSync(file, code)
  const res = spawnSync(process.execPath, ['--check', file], { encoding: 'utf8' })
  return { ok: res.status === 0, stderr: res.stderr }
}

t.test('every js block parses, as an ES module when it imports and as CommonJS when it requires', async (t) => {
  for (const block of jsBlocks) {
    const { ok, stderr } = parses(fileName(block), block.code)
    t.ok(ok, `${where(block)} parses${ok ? '' : `:\n${stderr}`}`)
  }
})

t.test('a CommonJS sample with a top-level await does not parse, so the check above can fail', async (t) => {
  t.notOk(parses('must-fail-cjs', "const openaiErrors = require('fastify-openai-errors')\nawait app.register(openaiErrors)\n").ok)
  t.ok(parses('top-level-await-esm', "import openaiErrors from 'fastify-openai-errors'\nawait app.register(openaiErrors)\n").ok)
})

t.test('every docs page starts with a one-line summary that links back to the README', async (t) => {
  for (const page of docPages) {
    const [title, blank, summary] = read(page).split('\n')
    t.match(title, /^# \S/, `${page} starts with its title`)
    t.equal(blank, '', `${page}: a blank line after the title`)
    t.match(summary, /\S.*\]\(\.\.\/README\.md\)/, `${page}: the summary line links to ../README.md`)
  }
})

t.test('the README links every docs page, shows the two commands and stays under 16 KB', async (t) => {
  const readme = read('README.md')
  for (const page of docPages) t.ok(readme.includes(`](${page})`), `the README links ${page}`)
  t.ok(readme.includes('npm ci && npm run demo'), 'npm run demo')
  t.ok(readme.includes('npm ci && npm test'), 'npm test')
  t.ok(Buffer.byteLength(readme) < 16 * 1024, `README.md is ${Buffer.byteLength(readme)} bytes`)
})
