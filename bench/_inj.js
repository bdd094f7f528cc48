const Fastify = require('fastify')
const bodies = require('./bodies')
const { handWrittenOnSend } = require('./hand-written-hook')
async function make (v) {
  const app = Fastify()
  if (v === 'plugin') await app.register(require('..'))
  else if (v === 'hand') app.addHook('onSend', handWrittenOnSend)
  app.get('/error', (request, reply) => { reply.type('application/json; charset=utf-8').send(bodies.ERROR) })
  app.get('/small', (request, reply) => { reply.type('application/json; charset=utf-8').send(bodies.SMALL) })
  await app.ready()
  return app
}
async function main () {
  const apps = { bare: await make('bare'), plugin: await make('plugin'), hand: await make('hand') }
  const path = process.argv[2] || '/error'
  const totals = { bare: [], plugin: [], hand: [] }
  for (let round = 0; round < 6; round++) {
    for (const [k, app] of Object.entries(apps)) {
      const n = 5000
      const t0 = process.cpuUsage()
      for (let i = 0; i < n; i++) await app.inject(path)
      const d = process.cpuUsage(t0)
      if (round > 0) totals[k].push((d.user + d.system) / n)
    }
  }
  for (const [k, v] of Object.entries(totals)) { v.sort((a, b) => a - b); console.log(k, v.map((x) => x.toFixed(1)).join(' '), 'median', v[2].toFixed(1)) }
}
main()
