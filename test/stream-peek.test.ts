import t from 'tap'
import { Readable } from 'node:stream'
import { EventEmitter } from 'node:events'
import { gzipSync, brotliCompressSync } from 'node:zlib'
import { decode, isReadableEncoding, isStream, stopAfter, StreamPeek } from '../lib/stream'

const never = new Promise<'stop'>(() => {})

async function collect (stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = []
  for await (const chunk of stream) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks)
}

t.test('isStream knows Node and web streams and nothing else', async (t) => {
  t.ok(isStream(Readable.from([])))
  t.ok(isStream(new ReadableStream()))
  for (const value of [null, 'x', Buffer.from('x'), {}, 1]) t.notOk(isStream(value))
})

t.test('chunks of every kind are read as bytes: Buffer, Uint8Array, string', async (t) => {
  const peek = new StreamPeek(Readable.from([Buffer.from('ab'), new Uint8Array([0x63, 0x64]), 'ef'], { objectMode: true }))
  while (await peek.read(never));
  t.equal(peek.head().toString(), 'abcdef')
  t.equal(peek.bytes, 6)
  t.ok(peek.ended)
  t.equal(await peek.read(never), false, 'reading past the end reads nothing')
})

t.test('replay sends the head, then the rest, in order', async (t) => {
  const peek = new StreamPeek(Readable.from(['a', 'b', 'c', 'd'].map((s) => Buffer.from(s))))
  await peek.read(never)
  await peek.read(never)
  const seen: string[] = []
  t.equal((await collect(peek.replay((chunk) => seen.push(chunk.toString())))).toString(), 'abcd')
  t.same(seen, ['c', 'd'], 'onChunk sees only what comes after the head')
})

t.test('a stop while a read is pending keeps that read for the replay', async (t) => {
  const source = new Readable({ read () {} })
  source.push('first')
  const peek = new StreamPeek(source)
  t.equal(await peek.read(never), true)
  t.equal(await peek.read(Promise.resolve('stop')), false, 'stopped')
  source.push('second')
  source.push(null)
  t.equal((await collect(peek.replay())).toString(), 'firstsecond')
})

t.test('a source that fails during the peek: read says so, and failed() carries its error', async (t) => {
  const source = new Readable({ read () {} })
  source.push('x')
  const peek = new StreamPeek(source)
  await peek.read(never)
  setImmediate(() => source.destroy(new Error('reset')))
  t.equal(await peek.read(never), false)
  t.match(peek.failure, { message: 'reset' })
  t.equal(await peek.read(never), false, 'no read after a failure')
  await t.rejects(collect(peek.failed()), { message: 'reset' })
})

t.test('a source that fails after the peek ends the replay with its error', async (t) => {
  const source = new Readable({ read () {} })
  source.push('x')
  const peek = new StreamPeek(source)
  await peek.read(never)
  const replay = peek.replay()
  setTimeout(() => source.destroy(new Error('late reset')), 10)
  await t.rejects(collect(replay), { message: 'late reset' })
})

t.test('destroying the replay releases the source; after the end there is nothing to release', async (t) => {
  const source = new Readable({ read () {} })
  source.push('x')
  const peek = new StreamPeek(source)
  await peek.read(never)
  const replay = peek.replay()
  replay.destroy()
  await new Promise((resolve) => setImmediate(resolve))
  t.ok(source.destroyed)

  const done = new StreamPeek(Readable.from([Buffer.from('y')]))
  while (await done.read(never));
  const whole = done.replay()
  t.equal((await collect(whole)).toString(), 'y')
  whole.destroy()
  t.ok(whole.destroyed)
})

t.test('stopAfter fires on its deadline or on close, and clears both', async (t) => {
  const emitter = new EventEmitter()
  const timed = stopAfter(5, emitter as any)
  t.equal(await timed.promise, 'stop')
  t.equal(timed.closed, false)
  timed.clear()
  const closing = stopAfter(60000, emitter as any)
  emitter.emit('close')
  t.equal(await closing.promise, 'stop')
  t.equal(closing.closed, true)
  closing.clear()
  t.equal(emitter.listenerCount('close'), 0)
})

t.test('decode reads gzip, deflate (zlib and raw), br and identity, whole or partial, within a bound', async (t) => {
  const text = Buffer.from('data: {"error":"x"}\n\n'.repeat(20))
  t.equal(decode(text, undefined, false, 1000), text)
  t.equal(decode(text, ' Identity ', false, 1000), text)
  t.same(decode(gzipSync(text), 'gzip', false, 1000), text)
  t.same(decode(gzipSync(text), 'x-gzip', false, 1000), text)
  t.same(decode(brotliCompressSync(text), 'br', false, 1000), text)
  const partialBr = decode(brotliCompressSync(text).subarray(0, 12), 'br', true, 1000)
  t.ok(partialBr !== null && text.subarray(0, partialBr.length).equals(partialBr), 'a partial br body decodes to a prefix')
  t.equal(decode(gzipSync(text), 'gzip', false, 10), null, 'past the bound')
  t.equal(decode(Buffer.from('nope'), 'gzip', false, 1000), null, 'not gzip')
})

t.test('isReadableEncoding: the encodings decode knows, in any case', async (t) => {
  for (const ok of [undefined, 'gzip', 'GZIP', 'x-gzip', 'deflate', 'br', 'identity']) t.ok(isReadableEncoding(ok), String(ok))
  for (const bad of ['zstd', 'gzip, br', 5, '']) t.notOk(isReadableEncoding(bad), String(bad))
})
