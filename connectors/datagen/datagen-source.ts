import avro from 'avsc'
import { ConfigError } from '../../core/errors.js'
import { defineSource } from '../api/define.js'
import { field } from '../api/config-schema.js'
import type { SourceBatch, SourceContext, SourcePartition } from '../api/types.js'
import { StoppedError, waitFor } from '../runner/retry.js'
import { AvroValues } from './avro-values.js'
import { nexmarkRouting } from './nexmark-records.js'
import { Pacer } from './pacing.js'
import { avroSequence, nexmarkSequence, type Sequence } from './sequence.js'

const config = {
  generator: field.oneOf(['nexmark', 'avro'] as const, { doc: 'what to generate: the Nexmark benchmark\'s events, or random values of an Avro schema' }),
  seed: field.integer({ default: 0, doc: 'same seed, same sequence' }),
  maxRecords: field.integer({ min: 0, optional: true, doc: 'end of the sequence: items made in all (Nexmark: events, before kinds filter them); then polls return empty batches' }),
  rate: field.number({ min: 0.001, optional: true, doc: 'records per second, paced on the runner\'s clock; default as fast as the log takes them' }),
  batchSize: field.integer({ min: 1, max: 100_000, default: 1000, doc: 'items per poll' }),
  schema: field.json({ optional: true, doc: 'avro: the Avro schema of the values (an .avsc object)' }),
  keyField: field.string({ optional: true, doc: 'avro: the record field whose value (as a string) keys each record; default no key' }),
  kinds: field.list(field.oneOf(['person', 'auction', 'bid'] as const), { optional: true, doc: 'nexmark: the event kinds produced to the connector\'s topic; default all' }),
  topics: field.json({ optional: true, doc: 'nexmark: a topic per kind, e.g. {"person": "nexmark-persons", "bid": "nexmark-bids"}; unlisted kinds are dropped' }),
  eventsPerSecond: field.number({ min: 0.001, optional: true, doc: 'nexmark: event-time rate of the timestamps (not pacing); default 10,000' }),
}

const EMPTY: SourceBatch<string, unknown> = { records: [] }

/**
 * Generates data, seeded and deterministic: the Nexmark benchmark's persons, auctions and bids
 * (the generator of `connectors/nexmark`), or random values conforming to an Avro schema. Item n
 * depends only on the seed and n, and the source stores `{ next: n }` under partition
 * `{ generator }`, so a restarted source carries on with exactly the items an uninterrupted one
 * would have made. `rate` paces it on the runner's clock; `maxRecords` ends the sequence.
 *
 * Values are written with the connector's value serde: JSON by default (Avro `bytes` and
 * `fixed` as base64 strings), or Avro with `"value": { "avro": <the same schema> }` in the spec.
 *
 * @example
 * // tributary connect config entry: 100 random orders a second, as Avro
 * { "name": "orders-gen", "connector": "datagen-source", "topic": "orders", "value": { "avro": ORDER_SCHEMA },
 *   "config": { "generator": "avro", "schema": ORDER_SCHEMA, "keyField": "id", "rate": 100, "seed": 7 } }
 */
export const datagenSource = defineSource<typeof config, string, unknown>({
  name: 'datagen-source',
  description: 'Generates seeded, reproducible data: Nexmark events, or random values of an Avro schema',
  config,
  serdes: { key: 'string', value: 'json' },
  start(settings, context) {
    const partition: SourcePartition = { generator: settings.generator }
    const stored = context.offset(partition)?.['next']
    const start = typeof stored === 'number' && Number.isSafeInteger(stored) && stored >= 0 ? stored : 0
    const sequence = openSequence(settings, context, start)
    const pacer = settings.rate === undefined ? undefined : new Pacer(settings.rate, context.clock)
    const idle = async (ms: number): Promise<void> => {
      if (ms <= 0) return
      try {
        await waitFor(ms, context.clock, context.signal)
      } catch (error) {
        if (!(error instanceof StoppedError)) throw error
      }
    }
    return {
      async poll() {
        const ended = settings.maxRecords !== undefined && sequence.next >= settings.maxRecords
        if (ended) {
          await idle(context.pollTimeoutMs)
          return EMPTY
        }
        let count = settings.batchSize
        if (pacer !== undefined) {
          if (pacer.allowed() <= 0) await idle(Math.min(pacer.msUntilNext(), context.pollTimeoutMs))
          count = Math.min(count, pacer.allowed())
          if (count <= 0) return EMPTY
        }
        const before = sequence.next
        const records = sequence.take(count)
        pacer?.sent(sequence.next - before)
        context.metrics.count('generated', sequence.next - before)
        return { records, offsets: [{ partition, offset: { next: sequence.next } }] }
      },
    }
  },
})

type Settings = Parameters<typeof datagenSource.start>[0]

function openSequence(settings: Settings, context: SourceContext<string, unknown>, start: number): Sequence {
  if (settings.generator === 'nexmark') {
    if (settings.schema !== undefined || settings.keyField !== undefined) throw new ConfigError(settings.schema === undefined ? 'keyField' : 'schema', 'is a setting of the avro generator')
    const routing = nexmarkRouting(settings.kinds, settings.topics)
    return nexmarkSequence({ seed: settings.seed, start, end: settings.maxRecords, eventsPerSecond: settings.eventsPerSecond, routing })
  }
  if (settings.schema === undefined) throw new ConfigError('schema', 'is required by the avro generator: the Avro schema of the values')
  if (settings.kinds !== undefined || settings.topics !== undefined || settings.eventsPerSecond !== undefined) {
    throw new ConfigError(settings.kinds !== undefined ? 'kinds' : settings.topics !== undefined ? 'topics' : 'eventsPerSecond', 'is a setting of the nexmark generator')
  }
  const values = new AvroValues(settings.schema, settings.seed)
  if (settings.keyField !== undefined) checkKeyField(values, settings.keyField)
  // The Avro serde takes Buffers for bytes and fixed; any other serde gets JSON's form of them.
  const asJson = !context.serdes.value.name.startsWith('avro')
  return avroSequence({ values, start, end: settings.maxRecords, keyField: settings.keyField, asJson })
}

function checkKeyField(values: AvroValues, keyField: string): void {
  const type = values.type
  if (!(type instanceof avro.types.RecordType) || !type.fields.some((candidate) => candidate.name === keyField)) {
    throw new ConfigError('keyField', `must name a field of the schema's top-level record, got ${JSON.stringify(keyField)}`)
  }
}
