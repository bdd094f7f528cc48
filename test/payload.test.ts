import t from 'tap'
import { isJsonContentType } from '../lib/core/gate'
import { defaultTable } from '../lib/core/table'

const { text: mayBeErrorText, bytes: mayBeErrorBytes } = defaultTable.gate

t.test('JSON content types and a missing one are inspected; others are not', async (t) => {
  t.ok(isJsonContentType(undefined))
  t.ok(isJsonContentType('application/json'))
  t.ok(isJsonContentType('Application/JSON; charset=utf-8'))
  t.ok(isJsonContentType('application/vnd.api+json'))
  t.notOk(isJsonContentType('text/event-stream'))
  t.notOk(isJsonContentType(['application/json']), 'a header array is not a content type we trust')
})

const cases: Array<[string, boolean]> = [
  ['{"error":"x"}', true],
  ['\r\n\t [{"error":{}}]', true],
  ['{"message":"Input is too long"}', true],
  ['{ "Message" : "x"}', true],
  ['[{"message":"x"}]', false],
  ['{"id":1,"message":{"content":"error"}}', false],
  ['"error"', false],
  ['', false],
  ['   ', false],
  ['{"choices":[]}', false],
  ['{"object":"error","message":"x"}', true],
  ['{"object" : \n "error"}', true],
  ['{"finish_reason":"error"}', false],
  ['{"error" \n : null}', true],
  ['"error"}', false],
  ['{"x":"error"', false],
  ['{"a":"error","error":1}', true],
  ['{"id":"resp_1","object":"response","error":{"code":"x"}}', false],
  [' {\n "object" : "chat.completion", "error": null}', false],
  ['{"object":"error","message":"x"}', true],
  ['{"identity":"x","error":"y"}', true],
  // created_at and id no longer mark a resource: {"id", "created", "error": {...}} is an envelope (issue 12).
  ['{"created_at":"2024","error":"x"}', true],
  ['{"id":"chatcmpl-1","object":"chat.completion","choices":[]}', false],
  ['{"id":"msg_1","type":"message","content":[]}', false],
  ['{"id":1,"message":"model \'x\' not found"}', true],
  ['{"status":"ok"}', true], // a string status may be a failure (Portkey): parsed, and found to be none
  ['{"status":"failure","message":"Invalid provider passed"}', true],
  ['{"detail":"Not Found"}', true],
  ['{"code":20012,"message":"Model does not exist.","data":null}', true],
  ['{"data":[{"id":"x"}],"code":0}', false],
  ['{"model":"llama3","error":"model not found"}', true],
  ['{"__type":"ThrottlingException","message":"Too many requests, please wait before trying again."}', true],
  ['{"requestId":"r1","Message":"x"}', true]
]

t.test('the text gate lets through only what may be an envelope', async (t) => {
  for (const [text, expected] of cases) t.equal(mayBeErrorText(text), expected, JSON.stringify(text))
})

t.test('a first key that marks a resource rules a body out, as findEnvelope would', async (t) => {
  const { findEnvelope } = await import('../lib/core/extract')
  for (const body of ['{"id":"r","object":"response","error":{"message":"x"}}', '{"object":"response","error":{"message":"x"}}', '{"choices":[],"error":"x"}']) {
    t.equal(findEnvelope(JSON.parse(body)), null, `${body}: no envelope`)
    t.equal(mayBeErrorText(body), false, `${body}: not parsed`)
  }
})

t.test('the byte gate agrees with the text gate', async (t) => {
  for (const [text, expected] of cases) t.equal(mayBeErrorBytes(Buffer.from(text)), expected, JSON.stringify(text))
})

t.test('headRulesOut: a first chunk that cannot begin an envelope', async (t) => {
  const { headRulesOut } = defaultTable.gate
  t.equal(headRulesOut(Buffer.from('{"id":"chatcmpl-1","object":"chat.completion",')), true)
  t.equal(headRulesOut(Buffer.from('{"id":"chatcmpl-1","object":')), false, 'an id alone no longer rules a body out')
  t.equal(headRulesOut(Buffer.from(' \n"text"')), true)
  t.equal(headRulesOut(Buffer.from('{"error":')), false)
  t.equal(headRulesOut(Buffer.from('[{"error":')), false)
  t.equal(headRulesOut(Buffer.from('{')), false, 'too short to tell')
  t.equal(headRulesOut(Buffer.from('   ')), false)
})
