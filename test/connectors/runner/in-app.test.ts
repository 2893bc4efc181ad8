import { describe, expect, it } from 'vitest'
import { App } from '../../../core/runtime/app.js'
import { inMemoryStores } from '../../../state/backend/memory-backend.js'
import { json } from '../../../core/serde/json.js'
import { writeFileSync } from 'node:fs'
import path from 'node:path'
import { filter, map, sink } from '../../../operators/index.js'
import { fileSource } from '../../../connectors/index.js'
import { counterSource, memorySink, until, useLogs, type MemoryTarget } from './fixtures.js'

const logs = useLogs()
const quiet = { warn: () => undefined, info: () => undefined }

describe('connectors inside an app', () => {
  it('app.source feeds a stream and sink(...) delivers the pipeline\'s records, committed after the sink flushed', async () => {
    const log = await logs.open()
    const target: MemoryTarget = { put: [], durable: [] }
    const app = new App({ id: 'doubler', log, handleSignals: false, commitIntervalMs: 20, stores: inMemoryStores(), stateDir: logs.dir(), logger: quiet })
    app
      .source({ name: 'numbers-in', connector: counterSource(), topic: 'numbers', config: { max: 100 }, value: json<{ n: number }>(), commitInterval: 10 })
      .pipe(
        map((record) => ({ ...record, value: { doubled: record.value.n * 2 } })),
        sink({ name: 'doubled-out', connector: memorySink(target), value: json<{ doubled: number }>(), commitInterval: 10 }),
      )
    await app.start()
    await until(() => target.durable.length === 100)
    await app.stop()
    expect(target.durable.map((r) => (r.value as { doubled: number }).doubled).sort((a, b) => a - b)).toEqual(Array.from({ length: 100 }, (_, n) => n * 2))
    expect(target.stopped).toBe(true)
    expect(app.describe().text).toContain('sink doubled-out (memory) via connect-doubled-out')
  })

  it('a built-in source in an app writes what the stream\'s serde reads: a file of JSON lines as objects', async () => {
    const log = await logs.open()
    const dir = logs.dir()
    writeFileSync(path.join(dir, 'orders.jsonl'), '{"id":1,"total":5}\n{"id":2,"total":150}\n{"id":3,"total":700}\n')
    const target: MemoryTarget = { put: [], durable: [] }
    const app = new App({ id: 'big-orders', log, handleSignals: false, commitIntervalMs: 20, stores: inMemoryStores(), stateDir: logs.dir(), logger: quiet })
    app
      .source({ name: 'orders-in', connector: fileSource, topic: 'orders', config: { path: path.join(dir, 'orders.jsonl') }, value: json<{ id: number; total: number }>(), commitInterval: 10 })
      .pipe(filter((order) => order.total > 100), sink({ name: 'big-orders-out', connector: memorySink(target), commitInterval: 10 }))
    await app.start()
    await until(() => target.durable.length === 2)
    await app.stop()
    expect(target.durable.map((r) => r.value)).toEqual([{ id: 2, total: 150 }, { id: 3, total: 700 }])
  })

  it('a connector that fails stops the app with its error', async () => {
    const log = await logs.open()
    const app = new App({ id: 'failing', log, handleSignals: false, stores: inMemoryStores(), stateDir: logs.dir(), logger: quiet })
    app.source({ name: 'bad-in', connector: counterSource({ reject: new Set([1]) }), topic: 'numbers', config: { max: 10 } }).to('out')
    await log.createTopic('out', { partitions: 1 })
    await app.start()
    await expect(app.done).rejects.toThrow(/counter:1 was rejected and no deadLetterTopic is configured/)
  })
})
