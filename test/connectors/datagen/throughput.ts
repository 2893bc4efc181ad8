/**
 * Prints the speed of the datagen source and the log-mirror sink: Avro values made per second,
 * records per second that datagen writes through the runner into an embedded log (durability
 * none), and records per second the mirror copies between two embedded logs.
 *
 * @example
 * npx tsx test/connectors/datagen/throughput.ts [records]
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { AvroValues, datagenSource } from '../../../connectors/datagen/index.js'
import { logMirrorSink } from '../../../connectors/log-mirror/index.js'
import { startConnector, type RunningConnector } from '../../../connectors/runner/index.js'
import { openEmbeddedLog } from '../../../core/log/embedded/index.js'
import { everyKind, order } from './schemas.js'

const records = Number(process.argv[2] ?? 200_000)
const perSecond = (count: number, startMs: number) => Math.round(count / ((performance.now() - startMs) / 1000)).toLocaleString('en-US')

async function finish(running: RunningConnector): Promise<void> {
  while (running.metrics().records < records) await new Promise((resolve) => setTimeout(resolve, 10))
  await running.stop()
}

for (const [label, schema] of [['Order (4 fields)', order], ['every Avro type', everyKind]] as const) {
  const values = new AvroValues(schema, 1)
  const start = performance.now()
  for (let i = 0; i < 100_000; i++) values.at(i)
  console.log(`AvroValues, ${label}: ${perSecond(100_000, start)} values/s`)
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tributary-datagen-throughput-'))
try {
  const log = await openEmbeddedLog({ dir: path.join(dir, 'source'), durability: 'none' })
  const runs = [
    ['nexmark, json', 'nexmark', { generator: 'nexmark', maxRecords: records }, {}],
    ['avro Order, json', 'orders-json', { generator: 'avro', schema: order, maxRecords: records }, {}],
    ['avro Order, avro serde', 'orders-avro', { generator: 'avro', schema: order, maxRecords: records }, { value: { avro: order } }],
  ] as const
  for (const [label, topic, config, serdes] of runs) {
    const start = performance.now()
    await finish(await startConnector(log, { name: topic, connector: datagenSource, topic, config, ...serdes }, { logSink: () => {} }))
    console.log(`datagen ${label} → embedded log: ${perSecond(records, start)} records/s`)
  }
  const start = performance.now()
  await finish(await startConnector(log, { name: 'mirror', connector: logMirrorSink, topics: ['nexmark'], config: { target: { data: path.join(dir, 'mirror') } } }, { logSink: () => {} }))
  console.log(`log-mirror embedded → embedded (target durability default): ${perSecond(records, start)} records/s`)
  await log.close()
} finally {
  fs.rmSync(dir, { recursive: true, force: true })
}
