// Proof that the type check can fail: test/types.test.ts expects exactly the errors marked `TS<code> here`.
import Fastify from 'fastify'
import plugin from 'fastify-openai-errors'

const app = Fastify()
// @ts-expect-error (this registration is valid, so the directive is unused: TS2578 here)
app.register(plugin, { rewriteBody: true })
app.register(plugin, { rewriteBody: 'yes' }) // a wrong option type: TS2769 here
