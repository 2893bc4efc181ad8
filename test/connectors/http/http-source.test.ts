import http from 'node:http'
import { afterEach, describe, expect, it } from 'vitest'
import { parseConfig, type ConfigInput } from '../../../connectors/api/config-schema.js'
import type { SourceTask } from '../../../connectors/api/types.js'
import { httpSource } from '../../../connectors/http/index.js'
import { Secret } from '../../../connectors/api/secret.js'
import { send, type Reply } from './http-helpers.js'
import { sourceContext } from './task-context.js'

type SourceInput = ConfigInput<typeof httpSource.config>

let running: { task: SourceTask<string, unknown>; context: ReturnType<typeof sourceContext> } | undefined

afterEach(async () => {
  running?.context.controller.abort()
  await running?.task.stop?.()
  running = undefined
})

async function startSource(input: SourceInput = {}): Promise<{ task: SourceTask<string, unknown>; context: ReturnType<typeof sourceContext>; url: string }> {
  const context = sourceContext()
  const task = await httpSource.start(parseConfig(httpSource.config, { path: '/hook', ...input }, 'config'), context)
  running = { task, context }
  const port = context.counters.get('port')
  return { task, context, url: `http://127.0.0.1:${port}/hook` }
}

/** A request's answer, and whether it came yet. */
function pending(reply: Promise<Reply>): { readonly answered: () => boolean; readonly reply: Promise<Reply> } {
  let answered = false
  void reply.then(() => (answered = true), () => (answered = true))
  return { answered: () => answered, reply }
}

/** Polls until the task hands out records. */
async function pollRecords(task: SourceTask<string, unknown>): Promise<NonNullable<Awaited<ReturnType<SourceTask<string, unknown>['poll']>>['records']>> {
  for (let attempt = 0; attempt < 400; attempt++) {
    const batch = await task.poll()
    if (batch.records.length > 0) return batch.records
  }
  throw new Error('no records after 400 polls')
}

describe('http-source', () => {
  it('reports the port it bound, in a log line and the gauge port', async () => {
    const { context } = await startSource()
    const line = context.lines.find((entry) => entry.message === 'listening')
    expect(line?.fields?.port).toBe(context.counters.get('port'))
    expect(context.counters.get('port')).toBeGreaterThan(0)
  })

  it('turns a JSON array into one record per element, keyed by keyField', async () => {
    const { task, url } = await startSource({ keyField: 'id' })
    const answer = pending(send(url, { body: JSON.stringify([{ id: 'a', n: 1 }, { id: 'b', n: 2 }, { n: 3 }]) }))
    const records = await pollRecords(task)
    expect(records.map((record) => [record.key, record.value])).toEqual([['a', { id: 'a', n: 1 }], ['b', { id: 'b', n: 2 }], [null, { n: 3 }]])
    await task.commit?.()
    const reply = await answer.reply
    expect(reply.status).toBe(200)
    expect(JSON.parse(reply.body)).toEqual({ records: 3 })
  })

  it('answers a request only after the commit that follows the poll of its records', async () => {
    const { task, url } = await startSource()
    const answer = pending(send(url, { body: '{"n":1}' }))
    await pollRecords(task)
    // A second exchange on the same server has time to come back: the first is still unanswered.
    expect((await send(url, { method: 'GET' })).status).toBe(405)
    expect(answer.answered()).toBe(false)
    await task.commit?.()
    expect((await answer.reply).status).toBe(200)
  })

  it('reads NDJSON, one record per line, keyed by keyHeader', async () => {
    const { task, url } = await startSource({ format: 'ndjson', keyHeader: 'X-Key' })
    const answer = send(url, { headers: { 'x-key': 'device-7' }, body: '{"t":1}\n\n{"t":2}\n' })
    const records = await pollRecords(task)
    expect(records.map((record) => [record.key, record.value])).toEqual([['device-7', { t: 1 }], ['device-7', { t: 2 }]])
    await task.commit?.()
    expect((await answer).status).toBe(200)
  })

  it('takes a text body as one string record', async () => {
    const { task, url } = await startSource({ format: 'text' })
    const answer = send(url, { body: 'hello\nworld' })
    expect((await pollRecords(task)).map((record) => record.value)).toEqual(['hello\nworld'])
    await task.commit?.()
    expect((await answer).status).toBe(200)
  })

  it('refuses a request without the bearer token, or with a wrong one, with 401', async () => {
    process.env.HTTP_SOURCE_TEST_TOKEN = 'webhook-token-93ac'
    const { task, context, url } = await startSource({ token: Secret.fromEnv('HTTP_SOURCE_TEST_TOKEN') })
    const missing = await send(url, { body: '{"n":1}' })
    const wrong = await send(url, { headers: { authorization: 'Bearer webhook-token-93ad' }, body: '{"n":1}' })
    expect([missing.status, wrong.status]).toEqual([401, 401])
    expect(missing.headers['www-authenticate']).toBe('Bearer')
    const right = send(url, { headers: { authorization: 'Bearer webhook-token-93ac' }, body: '{"n":1}' })
    expect(await pollRecords(task)).toHaveLength(1)
    await task.commit?.()
    expect((await right).status).toBe(200)
    expect(context.counters.get('unauthorized')).toBe(2)
    expect(JSON.stringify(context.lines)).not.toContain('webhook-token-93ac')
  })

  it('answers 413 to a body over maxBodyBytes, declared or chunked, and goes on serving', async () => {
    const { task, url } = await startSource({ maxBodyBytes: 1024 })
    const declared = await send(url, { body: Buffer.alloc(256 * 1024, 'x') })
    expect(declared.status).toBe(413)
    expect(await sendChunked(url, [Buffer.alloc(1000, '1'), Buffer.alloc(1000, '2')])).toBe(413)
    const answer = send(url, { body: '{"small":true}' })
    expect(await pollRecords(task)).toHaveLength(1)
    await task.commit?.()
    expect((await answer).status).toBe(200)
  })

  it('answers 400 with the parse error to a body that is not JSON, and counts it', async () => {
    const { context, url } = await startSource()
    const reply = await send(url, { body: '{"n": 1,' })
    expect(reply.status).toBe(400)
    expect(JSON.parse(reply.body).error).toMatch(/^the body is not JSON: /)
    const ndjson = await startSourceAlso({ format: 'ndjson' })
    const line = await send(ndjson.url, { body: '{"n":1}\nnot json\n' })
    expect(JSON.parse(line.body).error).toMatch(/^line 2 of the body is not JSON/)
    expect(context.counters.get('malformedBodies')).toBe(1)
  })

  it('answers 429 with Retry-After at once while the records not yet in the log fill the queue', async () => {
    const { task, context, url } = await startSource({ maxQueuedRecords: 3, retryAfter: '2s' })
    const first = pending(send(url, { body: '[1,2,3]' }))
    await pollRecords(task)
    expect(context.counters.get('queuedRecords')).toBe(3)
    const refused = await send(url, { body: '[4]' })
    expect(refused.status).toBe(429)
    expect(refused.headers['retry-after']).toBe('2')
    expect(first.answered()).toBe(false)
    await task.commit?.()
    expect((await first.reply).status).toBe(200)
    const next = send(url, { body: '[4]' })
    expect(await pollRecords(task)).toHaveLength(1)
    await task.commit?.()
    expect((await next).status).toBe(200)
    expect(context.counters.get('throttled')).toBe(1)
  })

  it('answers 413 to a body of more records than maxQueuedRecords', async () => {
    const { url } = await startSource({ maxQueuedRecords: 2 })
    expect((await send(url, { body: '[1,2,3]' })).status).toBe(413)
  })

  it('fails to start with TRIBUTARY_HTTP_LISTEN when its port is taken', async () => {
    const { context } = await startSource()
    const port = context.counters.get('port')!
    const error: unknown = await httpSource.start(parseConfig(httpSource.config, { port }, 'config'), sourceContext()).catch((caught: unknown) => caught)
    expect(error).toMatchObject({ code: 'TRIBUTARY_HTTP_LISTEN', message: expect.stringContaining(`127.0.0.1:${port}: EADDRINUSE`) })
  })

  it('returns an empty batch when nothing arrives within pollTimeoutMs', async () => {
    const { task } = await startSource()
    expect((await task.poll()).records).toEqual([])
  })

  it('answers 503 with Retry-After to the requests it holds when it stops, and then refuses connections', async () => {
    const { task, context, url } = await startSource()
    const held = send(url, { body: '{"n":1}' })
    await pollRecords(task)
    context.controller.abort()
    await task.stop?.()
    running = undefined
    const reply = await held
    expect(reply.status).toBe(503)
    expect(reply.headers['retry-after']).toBe('1')
    await expect(send(url, { body: '{"n":2}' })).rejects.toThrow(/ECONNREFUSED/)
  })
})

let extra: { task: SourceTask<string, unknown>; context: ReturnType<typeof sourceContext> } | undefined
afterEach(async () => {
  extra?.context.controller.abort()
  await extra?.task.stop?.()
  extra = undefined
})

/** A second source in the same test. */
async function startSourceAlso(input: SourceInput): Promise<{ url: string }> {
  const context = sourceContext()
  const task = await httpSource.start(parseConfig(httpSource.config, { path: '/hook', ...input }, 'config'), context)
  extra = { task, context }
  return { url: `http://127.0.0.1:${context.counters.get('port')}/hook` }
}

/** Sends a body in chunks without Content-Length; resolves with the status. */
function sendChunked(url: string, chunks: readonly Buffer[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const request = http.request(url, { method: 'POST', agent: false }, (response) => {
      response.resume()
      resolve(response.statusCode ?? 0)
    })
    request.on('error', reject)
    for (const chunk of chunks) request.write(chunk)
    request.end()
  })
}
