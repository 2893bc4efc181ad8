import { TopicExistsError, UnknownTopicOrPartitionError } from '../core/log/errors.js'
import type { Log } from '../core/log/types.js'
import { IncompatibleStateError } from './errors.js'
import { changelogTopic, type StoreSpec } from './store-spec.js'

/** What the state of a store depends on: its name, kind, serdes and window size. */
export interface StoreShape {
  readonly name: string
  readonly kind: StoreSpec['kind']
  readonly key: string
  readonly value: string
  readonly windowSizeMs?: number
  /** Window and session stores derive their key layout (segments) from it. */
  readonly retentionMs?: number
}

interface TopologyRecord {
  readonly version: 1
  readonly stores: readonly StoreShape[]
}

const RECORD_KEY = Buffer.from('topology')

/** The topic holding the shape of the stores an app's state was written by. */
export function topologyTopic(appId: string): string {
  return `${appId}-topology`
}

/** The shape of a store, as it is recorded and compared. */
export function storeShape(spec: StoreSpec): StoreShape {
  const shape = { name: spec.name, kind: spec.kind, key: spec.key.name, value: spec.value.name }
  if (spec.kind === 'window') return { ...shape, windowSizeMs: spec.windowSizeMs, retentionMs: spec.retentionMs }
  return spec.kind === 'session' ? { ...shape, retentionMs: spec.retentionMs } : shape
}

/**
 * Compares the app's stores with those its state was written by (recorded in the compacted
 * topic `<app id>-topology`) and refuses a change that would orphan state (a store gone or
 * renamed) or misread it (other serdes, kind, window size or retention), naming each change. With
 * `reset`, the state of such stores is dropped instead (their changelog topics deleted; `dropLocal` removes
 * local shards). Then it records the current shape. New stores are always fine.
 *
 * @example
 * await checkStoredTopology(log, 'wordcount', specs, { reset: false, dropLocal: () => {} })
 */
export async function checkStoredTopology(log: Log, appId: string, specs: readonly StoreSpec[], options: { reset: boolean; dropLocal: (store: string) => void }): Promise<void> {
  const topic = topologyTopic(appId)
  const current = specs.map(storeShape)
  const previous = await readRecord(log, topic)
  if (previous !== undefined) {
    const changes = compare(previous.stores, current)
    if (changes.length > 0) {
      if (!options.reset) throw new IncompatibleStateError(changes.map((change) => change.message))
      for (const { store } of changes) {
        await log.deleteTopic(changelogTopic(appId, store)).catch((error: unknown) => {
          if (!(error instanceof UnknownTopicOrPartitionError)) throw error
        })
        options.dropLocal(store)
      }
    } else if (sameShapes(previous.stores, current)) return
  }
  if (current.length === 0 && previous === undefined) return
  const record: TopologyRecord = { version: 1, stores: current }
  if (previous === undefined) await log.createTopic(topic, { partitions: 1, cleanup: 'compact' }).catch((error: unknown) => {
    if (!(error instanceof TopicExistsError)) throw error
  })
  const producer = log.producer()
  try {
    await producer.send([{ topic, key: RECORD_KEY, value: Buffer.from(JSON.stringify(record)) }])
  } finally {
    await producer.close()
  }
}

function compare(before: readonly StoreShape[], after: readonly StoreShape[]): { store: string; message: string }[] {
  const changes: { store: string; message: string }[] = []
  const now = new Map(after.map((shape) => [shape.name, shape]))
  for (const old of before) {
    const next = now.get(old.name)
    if (next === undefined) {
      changes.push({ store: old.name, message: `store ${old.name} (${old.kind}) is no longer in the topology: its state would be orphaned (was it renamed? store names come from named(...))` })
      continue
    }
    const differences: string[] = []
    if (next.kind !== old.kind) differences.push(`kind ${old.kind} → ${next.kind}`)
    if (next.key !== old.key) differences.push(`key serde ${old.key} → ${next.key}`)
    if (next.value !== old.value) differences.push(`value serde ${old.value} → ${next.value}`)
    if (next.windowSizeMs !== old.windowSizeMs) differences.push(`window size ${old.windowSizeMs ?? '-'} → ${next.windowSizeMs ?? '-'} ms`)
    // Segments of window and session stores are sized from the retention, and are part of their keys.
    if (next.retentionMs !== old.retentionMs) differences.push(`retention ${old.retentionMs ?? '-'} → ${next.retentionMs ?? '-'} ms`)
    if (differences.length > 0) changes.push({ store: old.name, message: `store ${old.name} changed (${differences.join(', ')}): its state would be misread` })
  }
  return changes
}

function sameShapes(a: readonly StoreShape[], b: readonly StoreShape[]): boolean {
  return JSON.stringify([...a].sort(byName)) === JSON.stringify([...b].sort(byName))
}

function byName(a: StoreShape, b: StoreShape): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0
}

async function readRecord(log: Log, topic: string): Promise<TopologyRecord | undefined> {
  let end: number
  try {
    end = (await log.describeTopic(topic)).partitions[0]?.endOffset ?? 0
  } catch (error) {
    if (!(error instanceof UnknownTopicOrPartitionError)) throw error
    return undefined
  }
  if (end === 0) return undefined
  const consumer = log.consumer({ isolation: 'read_committed', autoOffsetReset: 'earliest' })
  const tp = { topic, partition: 0 }
  let last: TopologyRecord | undefined
  try {
    await consumer.assign([tp])
    await consumer.seekToBeginning([tp])
    for (let idle = 0; consumer.position(tp) < end && idle < 100; ) {
      const records = await consumer.poll({ timeoutMs: 50 })
      if (records.length === 0) idle++
      for (const record of records) if (record.value !== null) last = JSON.parse(record.value.toString('utf8')) as TopologyRecord
    }
  } finally {
    await consumer.close()
  }
  return last
}
