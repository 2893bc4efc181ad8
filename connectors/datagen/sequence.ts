import type { SourceRecord } from '../api/types.js'
import { NexmarkGenerator } from '../nexmark/index.js'
import type { AvroValues } from './avro-values.js'
import { jsonForm } from './json-form.js'
import { nexmarkRecord, type NexmarkRouting } from './nexmark-records.js'

/** A generated sequence read in order from a stored position: the records of the next items. */
export interface Sequence {
  /** Items made so far, the resumed-from position included: the offset to store. */
  readonly next: number
  /** The records of up to `count` more items (fewer at the end of the sequence, or where items are filtered out). */
  take(count: number): SourceRecord<string, unknown>[]
}

/**
 * The Nexmark events from `start` on, through the shared seeded generator (`connectors/nexmark`).
 *
 * @example
 * const events = nexmarkSequence({ seed: 1, start: 0, end: 1000, routing })
 * events.take(100) // the records of events 0 to 99
 */
export function nexmarkSequence(options: { seed: number; start: number; end: number | undefined; eventsPerSecond: number | undefined; routing: NexmarkRouting }): Sequence {
  const generator = new NexmarkGenerator({
    seed: options.seed,
    startAtEvent: options.start,
    ...(options.end === undefined ? {} : { maxEvents: Math.max(0, options.end - options.start) }),
    ...(options.eventsPerSecond === undefined ? {} : { eventsPerSecond: options.eventsPerSecond }),
  })
  return {
    get next() {
      return generator.eventsSoFar
    },
    take(count) {
      const records: SourceRecord<string, unknown>[] = []
      for (let i = 0; i < count; i++) {
        const event = generator.nextEvent()
        if (event === undefined) break
        const record = nexmarkRecord(event, options.routing)
        if (record !== undefined) records.push(record)
      }
      return records
    },
  }
}

/**
 * Random values of an Avro schema from `start` on, value n made from (seed, n) alone. With
 * `keyField`, the key is that field of the value as a string; else null. `asJson` writes Buffers
 * as base64 strings (see `jsonForm`).
 *
 * @example
 * const orders = avroSequence({ values: new AvroValues(schema, 42), start: 0, end: undefined, keyField: 'id', asJson: true })
 */
export function avroSequence(options: { values: AvroValues; start: number; end: number | undefined; keyField: string | undefined; asJson: boolean }): Sequence {
  let next = options.start
  const end = options.end ?? Number.MAX_SAFE_INTEGER
  const { values, keyField, asJson } = options
  return {
    get next() {
      return next
    },
    take(count) {
      const records: SourceRecord<string, unknown>[] = []
      for (; records.length < count && next < end; next++) {
        const value = values.at(next)
        const key = keyField === undefined ? null : keyOf((value as Record<string, unknown>)[keyField])
        records.push({ key, value: asJson ? jsonForm(value) : value })
      }
      return records
    },
  }
}

function keyOf(field: unknown): string | null {
  if (field === null || field === undefined) return null
  if (typeof field === 'string') return field
  if (typeof field === 'number' || typeof field === 'boolean') return String(field)
  return JSON.stringify(jsonForm(field))
}
