import t from 'tap'
import { execFile } from 'node:child_process'
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { basename, join } from 'node:path'
import { promisify } from 'node:util'
import ts from 'typescript'

const run = promisify(execFile)
const root = join(__dirname, '..')
const fixtures = join(__dirname, 'types')
const attwBin = join(root, 'node_modules', '@arethetypeswrong', 'cli', 'dist', 'index.js')

if (!existsSync(join(root, 'dist', 'index.js'))) throw new Error('dist/index.js is missing: run `npm run build` first (`npm test` does)')

const work = mkdtempSync(join(tmpdir(), 'fastify-openai-errors-types-'))
t.teardown(() => rmSync(work, { recursive: true, force: true }))

/** `npm pack` without lifecycle scripts (no rebuild of dist/ under the other tests' feet) and without the network. */
async function pack (dir: string, destination: string): Promise<{ filename: string, files: Array<{ path: string }> }> {
  const { stdout } = await run('npm', ['pack', '--ignore-scripts', '--offline', '--json', '--pack-destination', destination], { cwd: dir })
  return JSON.parse(stdout)[0]
}

interface AttwResult {
  exitCode: number
  problems: Array<{ kind: string }>
  resolutions: Record<string, { resolution?: { fileName: string } }>
}

/** What `attw --pack` reports for a directory, packed by us; attw exits 1 when it finds a problem. */
async function attw (dir: string): Promise<AttwResult> {
  const destination = mkdtempSync(join(work, 'pack-'))
  const { filename } = await pack(dir, destination)
  let stdout: string
  let exitCode = 0
  try {
    ({ stdout } = await run(process.execPath, [attwBin, join(destination, filename), '--format', 'json'], { maxBuffer: 64 * 1024 * 1024 }))
  } catch (error) {
    const failed = error as { stdout: string, code: number }
    stdout = failed.stdout
    exitCode = failed.code
  }
  const { analysis } = JSON.parse(stdout)
  return { exitCode, problems: analysis.problems, resolutions: analysis.entrypoints['.'].resolutions }
}

// The package as published, and a copy whose types promise a function the build does not export: attw must see it.
const packed = pack(root, mkdtempSync(join(work, 'files-')))
const published = attw(root)
const promisesTooMuch = (async () => {
  const dir = join(work, 'promises-too-much')
  for (const entry of ['package.json', 'dist', 'types']) cpSync(join(root, entry), join(dir, entry), { recursive: true })
  const types = readFileSync(join(root, 'index.d.ts'), 'utf8')
  const marker = '  export { fastifyOpenaiErrors as default }\n'
  if (!types.includes(marker)) throw new Error('index.d.ts no longer has the line this test adds an export before')
  writeFileSync(join(dir, 'index.d.ts'), types.replace(marker, '  export function classifyStream (body: unknown): Decision | null\n' + marker))
  return attw(dir)
})()
// Each is awaited by its test; a failure before then must reach that test, not crash the file as unhandled.
for (const pending of [packed, published, promisesTooMuch]) pending.catch(() => {})

// One program over the fixture project and must-fail.mts, with the fixtures' own tsconfig: sources are parsed once.
const config = ts.getParsedCommandLineOfConfigFile(join(fixtures, 'tsconfig.json'), undefined, {
  ...ts.sys,
  onUnRecoverableConfigFileDiagnostic: (diagnostic) => { throw new Error(ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n')) }
})
if (config === undefined) throw new Error('test/types/tsconfig.json could not be read')
const mustFail = join(fixtures, 'must-fail.mts')
const program = ts.createProgram({ rootNames: [...config.fileNames, mustFail], options: config.options })

interface Reported { file: string, line: number, code: number, message: string }

/** The errors tsc would print for these files (the library files they load are left to their authors). */
function errorsIn (files: string[]): Reported[] {
  const diagnostics = [...program.getOptionsDiagnostics(), ...program.getGlobalDiagnostics()]
  for (const file of files) {
    const source = program.getSourceFile(file)
    if (source === undefined) throw new Error(`${file} is not in the program`)
    diagnostics.push(...program.getSyntacticDiagnostics(source), ...program.getSemanticDiagnostics(source))
  }
  return diagnostics.map((diagnostic) => ({
    file: diagnostic.file === undefined ? '' : basename(diagnostic.file.fileName),
    line: diagnostic.file === undefined ? 0 : diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start ?? 0).line + 1,
    code: diagnostic.code,
    message: ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n')
  }))
}

t.test("'fastify-openai-errors' resolves to index.d.ts for a CommonJS and for an ES-module consumer", async (t) => {
  for (const [consumer, format] of [['consumer.cts', ts.ModuleKind.CommonJS], ['consumer.mts', ts.ModuleKind.ESNext]] as const) {
    const from = join(fixtures, consumer)
    const mode = ts.getImpliedNodeFormatForFile(from, undefined, ts.sys, config.options)
    t.equal(mode, format, `${consumer} is ${ts.ModuleKind[format]}`)
    const { resolvedModule } = ts.resolveModuleName('fastify-openai-errors', from, config.options, ts.sys, undefined, undefined, mode)
    t.equal(resolvedModule?.resolvedFileName, join(root, 'index.d.ts'), consumer)
  }
})

t.test('the consumers type-check and every invalid usage is rejected', async (t) => {
  const files = [...config.fileNames, join(root, 'index.d.ts')]
  t.same(files.map((file) => basename(file)).sort(), ['consumer.cts', 'consumer.mts', 'index.d.ts', 'invalid.mts'])
  // An @ts-expect-error over a line that compiles is itself an error (TS2578), so "no errors" covers invalid.mts.
  t.same(errorsIn(files), [])
})

t.test('a misuse and an unused @ts-expect-error are reported, so the check above can fail', async (t) => {
  // must-fail.mts marks each line that must be reported with `TS<code> here`.
  const expected = readFileSync(mustFail, 'utf8').split('\n').flatMap((text, index) => {
    const marker = /\bTS(\d+) here\b/.exec(text)
    return marker === null ? [] : [{ file: 'must-fail.mts', line: index + 1, code: Number(marker[1]) }]
  })
  t.equal(expected.length, 2)
  t.same(errorsIn([mustFail]).map(({ file, line, code }) => ({ file, line, code })), expected)
})

t.test('index.d.ts declares exactly the values the build exports', async (t) => {
  const checker = program.getTypeChecker()
  const declarations = program.getSourceFile(join(root, 'index.d.ts'))
  const moduleSymbol = declarations === undefined ? undefined : checker.getSymbolAtLocation(declarations)
  if (moduleSymbol === undefined) throw new Error('index.d.ts is not a module')
  const declared = checker.getExportsOfModule(moduleSymbol)
    .filter((symbol) => ((symbol.flags & ts.SymbolFlags.Alias) !== 0 ? checker.getAliasedSymbol(symbol) : symbol).flags & ts.SymbolFlags.Value)
    .map((symbol) => symbol.name)
  t.same(declared.sort(), Object.keys(require(root)).sort())
})

t.test('the packed package holds the types and the build, not the sources', async (t) => {
  const files = (await packed).files.map((file) => file.path)
  t.ok(files.includes('index.d.ts'), 'index.d.ts')
  t.ok(files.includes('dist/index.js'), 'dist/index.js')
  // The conformance kit answers from the real-payload corpus, so its JSON ships; no test code or TypeScript source does.
  const corpus = /^test\/corpus\/(errors|successes)\/[^/]+\.json$/
  const declarations = /^(index|types\/[a-z-]+)\.d\.ts$/
  t.same(files.filter((file) => (/^(lib|test)\//.test(file) && !corpus.test(file)) || (file.endsWith('.ts') && !declarations.test(file))), [])
  t.ok(files.some((file) => corpus.test(file)), 'the corpus the conformance kit answers from')
})

t.test('attw finds no problem in the packed package for node10, node16 (CommonJS and ESM) and bundlers', async (t) => {
  const { exitCode, problems, resolutions } = await published
  t.same(problems, [])
  t.equal(exitCode, 0)
  for (const kind of ['node10', 'node16-cjs', 'node16-esm', 'bundler']) {
    t.equal(resolutions[kind]?.resolution?.fileName, '/node_modules/fastify-openai-errors/index.d.ts', kind)
  }
})

t.test('attw does report types that promise an export the build does not have', async (t) => {
  const { exitCode, problems } = await promisesTooMuch
  t.equal(exitCode, 1)
  // The copy is the build and the types, not a whole package: what it cannot resolve is not the point here.
  t.same(problems.map((problem) => problem.kind).filter((kind) => kind !== 'NoResolution'), ['NamedExports'])
})
