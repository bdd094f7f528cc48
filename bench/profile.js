'use strict'

// Summarise a .cpuprofile of server (b) (node --cpu-prof): the functions with the most self time, and the
// plugin's own functions (dist/), each with the time spent in it and in what it calls (Node internals,
// JSON.parse, streams...) but not in what Fastify does after the plugin hands the payload back (`done()` runs
// the rest of Fastify's send synchronously, which would otherwise count as the plugin's). Startup (module
// loading, building the bench bodies) and idle time are left out.
//   node bench/profile.js bench/results/profiles/plugin-small.cpuprofile [top]

const fs = require('node:fs')
const path = require('node:path')

const DIST = 'file://' + path.join(__dirname, '..', 'dist') + path.sep
const isPlugin = (url) => url.startsWith(DIST) || url.startsWith(DIST.slice('file://'.length))
const isLibrary = (url) => url.includes('/node_modules/') || url.includes('/bench/')
const isStartup = (frame) => frame.url.startsWith('node:internal/modules') || frame.functionName === 'compileForInternalLoader' ||
  frame.url.endsWith('/bench/bodies.js')

function frameName (frame) {
  const { functionName, url, lineNumber } = frame
  let file = url.replace(/^file:\/\//, '')
  if (isPlugin(url)) file = 'dist/' + file.slice(file.lastIndexOf('/dist/') + 6)
  else if (file.includes('/node_modules/')) file = file.slice(file.lastIndexOf('/node_modules/') + 14)
  return `${functionName || '(anonymous)'}${file ? ` ${file}:${lineNumber + 1}` : ''}`
}

function summarise (file, top = 15) {
  const profile = JSON.parse(fs.readFileSync(file, 'utf8'))
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]))
  const parent = new Map()
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id)
  const counts = new Map()
  for (const id of profile.samples) counts.set(id, (counts.get(id) ?? 0) + 1)
  const interval = (profile.endTime - profile.startTime) / Math.max(1, profile.samples.length) // microseconds

  const self = new Map()
  const owned = new Map() // plugin frame -> samples in it or in what it calls, short of library code
  let idle = 0
  let startup = 0
  let busy = 0
  let pluginOwned = 0
  for (const [id, count] of counts) {
    const stack = []
    for (let at = id; at !== undefined; at = parent.get(at)) stack.push(nodes.get(at).callFrame)
    const leaf = stack[0]
    if (leaf.functionName === '(idle)') {
      idle += count
      continue
    }
    if (stack.some(isStartup)) {
      startup += count
      continue
    }
    busy += count
    const name = frameName(leaf)
    self.set(name, (self.get(name) ?? 0) + count)
    const seen = new Set()
    for (const frame of stack) {
      if (isLibrary(frame.url)) break // Fastify's (or reply-from's, undici's) own work, even when the plugin called it
      if (!isPlugin(frame.url)) continue
      if (seen.size === 0) pluginOwned += count
      const key = frameName(frame)
      if (seen.has(key)) continue
      seen.add(key)
      owned.set(key, (owned.get(key) ?? 0) + count)
    }
  }
  const pct = (count) => `${(100 * count / Math.max(1, busy)).toFixed(1).padStart(5)}%`
  const sorted = (map) => [...map].sort((a, b) => b[1] - a[1]).slice(0, top)
  const lines = [`${path.basename(file)}: ${busy} busy samples of ${interval.toFixed(0)} us (${idle} idle, ${startup} startup left out); ` +
    `the plugin and what it calls: ${pct(pluginOwned).trim()} of busy time`]
  lines.push('  top self time:')
  for (const [name, count] of sorted(self)) lines.push(`    ${pct(count)}  ${name}`)
  lines.push('  plugin functions, with what they call (short of Fastify and other libraries):')
  for (const [name, count] of sorted(owned)) lines.push(`    ${pct(count)}  ${name}`)
  return {
    text: lines.join('\n'),
    busy,
    pluginShare: pluginOwned / Math.max(1, busy),
    plugin: sorted(owned).map(([name, count]) => ({ name, share: count / Math.max(1, busy) })),
    self: sorted(self).map(([name, count]) => ({ name, share: count / Math.max(1, busy) }))
  }
}

module.exports = { summarise }

if (require.main === module) {
  const [file, top] = process.argv.slice(2)
  if (!file) {
    console.error('usage: node bench/profile.js <file.cpuprofile> [top]')
    process.exit(2)
  }
  console.log(summarise(file, Number(top ?? 15)).text)
}
