import t from 'tap'
import { execFile } from 'node:child_process'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'

// The package as a user installs it: packed, then installed into an empty project that brings only fastify.
const run = promisify(execFile)
const root = join(__dirname, '..')
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm'
const hostFastify: string = JSON.parse(require('node:fs').readFileSync(join(root, 'node_modules', 'fastify', 'package.json'), 'utf8')).version

t.test('the packed tarball holds the build, the types and the CLI, and no tests or fixtures', async (t) => {
  const { stdout } = await run(npm, ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: root })
  const files: string[] = JSON.parse(stdout)[0].files.map((file: { path: string }) => file.path)
  t.ok(files.includes('dist/index.js'))
  t.ok(files.includes('index.d.ts'))
  t.ok(files.includes('bin/fastify-openai-errors.js'))
  // The conformance kit's cases are the real-payload corpus: its JSON files ship, nothing else of test/.
  const corpus = files.filter((file) => /^test\/corpus\/(errors|successes)\/[^/]+\.json$/.test(file))
  t.ok(corpus.includes('test/corpus/errors/clouds.json') && corpus.includes('test/corpus/successes/clouds.json'), 'the corpus ships')
  t.same(files.filter((file) => (/^(test|lib|examples|bench|scripts|docs)\//.test(file) || file.includes('fixtures')) && !corpus.includes(file)), [], 'no source, tests, fixtures or docs')
})

t.test('installed from the tarball into an empty project with only fastify, it works and brings no fastify of its own', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'foe-install-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  const { stdout: packed } = await run(npm, ['pack', '--json', '--ignore-scripts', '--pack-destination', dir], { cwd: root })
  const tarball = join(dir, JSON.parse(packed)[0].filename)
  const project = join(dir, 'app')
  await run('mkdir', [project])
  await writeFile(join(project, 'package.json'), JSON.stringify({ name: 'host-app', version: '1.0.0', private: true }))
  await run(npm, ['install', '--prefer-offline', '--no-audit', '--no-fund', tarball, `fastify@${hostFastify}`], { cwd: project, maxBuffer: 16 * 1024 * 1024 })

  const { stdout: tree } = await run(npm, ['ls', 'fastify', '--all', '--parseable'], { cwd: project })
  t.same(tree.trim().split('\n').filter((line) => line.endsWith('/fastify')), [join(project, 'node_modules', 'fastify')], 'one fastify: the host\'s')
  const installed = JSON.parse(await readFile(join(project, 'node_modules', 'fastify-openai-errors', 'package.json'), 'utf8'))
  t.notOk('fastify' in (installed.dependencies ?? {}), 'fastify is not a dependency')

  await writeFile(join(project, 'app.js'), `
    const Fastify = require('fastify')
    const openaiErrors = require('fastify-openai-errors')
    const app = Fastify()
    app.register(openaiErrors)
    app.get('/v1/models/x', async () => ({ error: { message: 'No models available', type: 'invalid_request_error' } }))
    app.inject('/v1/models/x').then((res) => { console.log(res.statusCode); return app.close() })
  `)
  const { stdout: status } = await run(process.execPath, ['app.js'], { cwd: project })
  t.equal(status.trim(), '404')
  const { stdout: version } = await run(process.execPath, [join(project, 'node_modules', '.bin', 'fastify-openai-errors'), '--version'], { cwd: project })
  t.equal(version.trim(), installed.version, 'the CLI runs from the install')
  // The conformance kit finds its corpus inside the installed package.
  const { stdout: cases } = await run(process.execPath, ['-e', "console.log(require('fastify-openai-errors/conformance').selectCases({}).length)"], { cwd: project })
  t.ok(Number(cases) > 30, `${cases.trim()} conformance cases from the installed corpus`)
})
