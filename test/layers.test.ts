import t from 'tap'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'

// The layers of docs/architecture.md: the classifier, the packs, stream reading and the bodies written know nothing
// of Fastify or of an adapter (type-only imports of Fastify's types are allowed elsewhere, not here).

const LIB = join(__dirname, '..', 'lib')
const PURE = ['core', 'packs', 'stream', 'output']
const IMPORT = /(?:from|require\()\s*'([^']+)'/g

function importsOf (file: string): string[] {
  return [...readFileSync(file, 'utf8').matchAll(IMPORT)].map((match) => match[1])
}

for (const folder of PURE) {
  t.test(`lib/${folder}/ imports neither Fastify nor an adapter`, async (t) => {
    const files = readdirSync(join(LIB, folder)).filter((name) => name.endsWith('.ts'))
    t.ok(files.length > 0, 'the folder has modules')
    for (const name of files) {
      for (const spec of importsOf(join(LIB, folder, name))) {
        t.notOk(spec === 'fastify' || spec.startsWith('fastify/') || spec.startsWith('@fastify/') || /^\.\.\/(?:fastify|fetch|observe|conformance)\b/.test(spec),
          `lib/${folder}/${name} imports ${spec}`)
      }
    }
  })
}

t.test('the check sees an import: lib/fastify/ does import Fastify\'s layer below it', async (t) => {
  const specs = readdirSync(join(LIB, 'fastify')).flatMap((name) => importsOf(join(LIB, 'fastify', name)))
  t.ok(specs.includes('../core/inspect'), 'an import of core/ is read')
  t.ok(specs.some((spec) => spec === 'fastify'), 'an import of fastify is read')
})
