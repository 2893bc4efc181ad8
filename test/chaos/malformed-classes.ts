/**
 * The bad-input classes of the malformed-input suite (RELIABILITY.md, suite 6): each makes the
 * key and value bytes of one bad record of a producer and says what the app must answer (the
 * `tributary.error.code` and what `tributary.error.message` says). Good records are `Reading`s,
 * written as JSON (checked by the `isReading` guard) or as Avro in the schema-registry wire format.
 *
 * @example
 * const encoders = readingEncoders(new InMemorySchemaRegistry())
 * const bad = BAD_INPUT_CLASSES.find((candidate) => candidate.name === 'avro-truncated')!
 * bad.make(3, 'avro', 'readings-avro', encoders) // { key: <p3>, value: a valid Avro frame cut short }
 */
import { serdes, writeWirePayload, type AvroSchema, type SchemaRegistry } from '../../index.js'

/** What every good input record holds: its producer, its sequence among that producer's good records, and some samples. */
export interface Reading {
  readonly producer: number
  readonly sequence: number
  readonly samples: readonly number[]
}

/** How an input topic's values are written. */
export type Format = 'json' | 'avro'

/** The `tributary.error.code` a bad record's dead letter carries. */
export type ErrorCode = 'TRIBUTARY_DESERIALIZATION' | 'TRIBUTARY_PROCESSING'

/**
 * The JSON serde's guard: a `Reading` with integer producer and sequence and numeric samples.
 *
 * @example
 * isReading({ producer: 1, sequence: 0, samples: [] }) // true
 * isReading({ producer: 1, sequence: '0', samples: [] }) // false
 */
export function isReading(value: unknown): value is Reading {
  if (typeof value !== 'object' || value === null) return false
  const fields = value as Record<string, unknown>
  const samples = fields.samples
  return Number.isSafeInteger(fields.producer) && Number.isSafeInteger(fields.sequence) && Array.isArray(samples) && samples.every((sample) => typeof sample === 'number')
}

/** The Avro schema of a `Reading`: the array gives the hostile-count class something to lie about. */
export const READING_SCHEMA: AvroSchema = {
  type: 'record',
  name: 'Reading',
  namespace: 'chaos',
  fields: [
    { name: 'producer', type: 'int' },
    { name: 'sequence', type: 'int' },
    { name: 'samples', type: { type: 'array', items: 'int' } },
  ],
}

/**
 * The app's own function over a reading, the one that throws for a bad record: a negative
 * sequence is a reading it refuses (the processing-error class). Its output, `producer:sequence`,
 * lets the check find the good record it came from.
 *
 * @example
 * describeReading({ producer: 2, sequence: 7, samples: [1] }) // '2:7'
 */
export function describeReading(reading: Reading): string {
  if (reading.sequence < 0) throw new RangeError(`reading of producer ${reading.producer} has the negative sequence ${reading.sequence}`)
  return `${reading.producer}:${reading.sequence}`
}

/**
 * The app's async step on the Avro input (an enrichment, say), which rejects a reading whose
 * sequence is -2 (the async processing-error class).
 *
 * @example
 * await enrichReading({ producer: 5, sequence: 7, samples: [] }) // the same reading
 */
export async function enrichReading(reading: Reading): Promise<Reading> {
  await Promise.resolve()
  if (reading.sequence === -2) throw new RangeError(`enrichment of producer ${reading.producer} found no sequence -2`)
  return reading
}

/**
 * The key of every record of producer `producer` that has a readable key.
 *
 * @example
 * producerKey(3) // <Buffer 70 33> ('p3')
 */
export function producerKey(producer: number): Buffer {
  return Buffer.from(`p${producer}`)
}

/** Writes readings in each format, as a producer outside the app would. */
export interface ReadingEncoders {
  json(reading: Reading): Buffer
  avro(reading: Reading, topic: string): Buffer
  /** Where `avro` registers `READING_SCHEMA` (on its first call), and the app's serde looks it up. */
  readonly registry: SchemaRegistry
}

/**
 * Encoders that register the Avro schema in `registry`, the one the app's serde reads with.
 *
 * @example
 * const encoders = readingEncoders(registry)
 * encoders.avro({ producer: 0, sequence: 0, samples: [1] }, 'readings-avro') // 00 <id> 00 00 02 02 00
 */
export function readingEncoders(registry: SchemaRegistry): ReadingEncoders {
  const avro = serdes.avro<Reading>({ schema: READING_SCHEMA, registry })
  return {
    json: (reading) => Buffer.from(JSON.stringify(reading)),
    avro: (reading, topic) => avro.serialize(reading, { topic, isKey: false }),
    registry,
  }
}

/** One class of bad input and the answer the app owes it. */
export interface BadInputClass {
  /** Names the class in reports and failure messages. */
  readonly name: string
  /** The input formats (topics) it can arrive on. */
  readonly formats: readonly Format[]
  readonly code: ErrorCode
  /** What the dead letter's `tributary.error.message` must say. */
  readonly message: RegExp
  /** The bad record's key and value, for producer `producer` on a topic of format `format`. */
  make(producer: number, format: Format, topic: string, encoders: ReadingEncoders): { readonly key: Buffer | null; readonly value: Buffer | null }
}

const samplesOf = (producer: number): number[] => [producer, producer + 1, producer + 2]
const goodBytes = (producer: number, format: Format, topic: string, encoders: ReadingEncoders, sequence = 0): Buffer => {
  const reading = { producer, sequence, samples: samplesOf(producer) }
  return format === 'json' ? encoders.json(reading) : encoders.avro(reading, topic)
}

/**
 * Avro's long encoding (zig-zag, then base-128 varint, low groups first), for hand-made payloads.
 *
 * @example
 * avroLong(1) // <Buffer 02>
 * avroLong(-1) // <Buffer 01>
 */
export function avroLong(value: number): Buffer {
  let zigzag = value >= 0 ? BigInt(value) * 2n : BigInt(-value) * 2n - 1n
  const bytes: number[] = []
  while (zigzag >= 0x80n) {
    bytes.push(Number(zigzag & 0x7fn) | 0x80)
    zigzag >>= 7n
  }
  bytes.push(Number(zigzag))
  return Buffer.from(bytes)
}

/** A schema id the registry does not hold. */
function unknownSchemaId(registry: SchemaRegistry): number {
  let id = 1
  while (registry.schemaById(id) !== undefined) id++
  return id
}

/** The schema id a good Avro payload of the topic carries. */
function schemaIdOf(topic: string, encoders: ReadingEncoders): number {
  return goodBytes(0, 'avro', topic, encoders).readInt32BE(1)
}

const DESERIALIZATION = 'TRIBUTARY_DESERIALIZATION'
/** Levels of nesting of the deeply nested JSON class: 100 KB of brackets, deep enough to overflow a recursive walk. */
export const DEEP_NESTING = 50_000
const BOTH: readonly Format[] = ['json', 'avro']

/** Every class the suite puts in; bad records are dealt to them in turn. */
export const BAD_INPUT_CLASSES: readonly BadInputClass[] = [
  {
    name: 'json-unparseable',
    formats: ['json'],
    code: DESERIALIZATION,
    message: /with json\(isReading\): Unexpected end of JSON input/,
    make: (producer) => ({ key: producerKey(producer), value: Buffer.from(`{"producer":${producer},"sequence":`) }),
  },
  {
    name: 'json-guard-rejected',
    formats: ['json'],
    code: DESERIALIZATION,
    message: /isReading rejected the value/,
    make: (producer) => ({ key: producerKey(producer), value: Buffer.from(JSON.stringify({ producer, sequence: 'seven', samples: [] })) }),
  },
  {
    name: 'json-invalid-utf8',
    formats: ['json'],
    code: DESERIALIZATION,
    message: /with json\(isReading\): The encoded data was not valid for encoding utf-8/,
    make: (producer) => ({ key: producerKey(producer), value: Buffer.from([0x7b, 0x22, 0xc3, 0x28, 0x22, 0x7d]) }),
  },
  {
    // JSON.parse takes any depth; what must not fail is the serde's report of the rejected value
    // (it once stringified the whole value again and overflowed the stack: see malformed-input.test.ts).
    name: 'json-deeply-nested',
    formats: ['json'],
    code: DESERIALIZATION,
    message: /^cannot deserialize the record at readings-json-\d+ offset \d+: .*json\(isReading\).*rejected the value: \[\[\[/,
    make: (producer) => ({ key: producerKey(producer), value: Buffer.from(`${'['.repeat(DEEP_NESTING)}${producer}${']'.repeat(DEEP_NESTING)}`) }),
  },
  {
    name: 'avro-wrong-magic-byte',
    formats: ['avro'],
    code: DESERIALIZATION,
    message: /unknown magic byte 0x7b/,
    make: (producer, _format, topic, encoders) => ({ key: producerKey(producer), value: goodBytes(producer, 'json', topic, encoders) }),
  },
  {
    name: 'avro-short-header',
    formats: ['avro'],
    code: DESERIALIZATION,
    message: /shorter than the 5-byte schema-registry header/,
    make: (producer) => ({ key: producerKey(producer), value: Buffer.from([0, 0, 1]) }),
  },
  {
    name: 'avro-unknown-schema-id',
    formats: ['avro'],
    code: DESERIALIZATION,
    message: /unknown schema id \d+: the schema registry has no schema with this id/,
    make: (producer, _format, topic, encoders) => {
      const body = goodBytes(producer, 'avro', topic, encoders).subarray(5)
      return { key: producerKey(producer), value: writeWirePayload(unknownSchemaId(encoders.registry), body) }
    },
  },
  {
    name: 'avro-truncated',
    formats: ['avro'],
    code: DESERIALIZATION,
    message: /array block claims 3 items of at least 1 bytes each, but 1 bytes remain \(writer schema id \d+\)/,
    make: (producer, _format, topic, encoders) => {
      // The body ends with the array: count 3, three one-byte items, 0; cut, two items are gone.
      const good = goodBytes(producer, 'avro', topic, encoders)
      return { key: producerKey(producer), value: good.subarray(0, good.length - 3) }
    },
  },
  {
    name: 'avro-hostile-array-count',
    formats: ['avro'],
    code: DESERIALIZATION,
    message: /array block claims 2147483648 items of at least 1 bytes each, but 1 bytes remain \(writer schema id \d+\)/,
    make: (producer, _format, topic, encoders) => {
      // producer, sequence, then an array block claiming 2^31 items with one byte behind it.
      const body = Buffer.concat([avroLong(producer), avroLong(0), avroLong(2 ** 31), avroLong(0)])
      return { key: producerKey(producer), value: writeWirePayload(schemaIdOf(topic, encoders), body) }
    },
  },
  {
    name: 'avro-trailing-bytes',
    formats: ['avro'],
    code: DESERIALIZATION,
    message: /2 trailing bytes after the value .*\(writer schema id \d+\)/,
    make: (producer, _format, topic, encoders) => ({ key: producerKey(producer), value: Buffer.concat([goodBytes(producer, 'avro', topic, encoders), Buffer.from([2, 4])]) }),
  },
  {
    name: 'key-invalid-utf8',
    formats: BOTH,
    code: DESERIALIZATION,
    message: /key of topic .* with string: not valid UTF-8/,
    make: (producer, format, topic, encoders) => ({ key: Buffer.from([0x70, 0xc3, 0x28]), value: goodBytes(producer, format, topic, encoders) }),
  },
  {
    name: 'key-null',
    formats: BOTH,
    code: DESERIALIZATION,
    message: /key of topic .* with string: the key is null; declare the serde as serdes\.nullable\(string\)/,
    make: (producer, format, topic, encoders) => ({ key: null, value: goodBytes(producer, format, topic, encoders) }),
  },
  {
    name: 'value-null',
    formats: BOTH,
    code: DESERIALIZATION,
    message: /value of topic .* with (json\(isReading\)|avro\(chaos\.Reading\)): the value is null; declare the serde as serdes\.nullable/,
    make: (producer) => ({ key: producerKey(producer), value: null }),
  },
  {
    name: 'processing-throws',
    formats: BOTH,
    code: 'TRIBUTARY_PROCESSING',
    message: /mapValues.*reading of producer \d+ has the negative sequence -1/,
    make: (producer, format, topic, encoders) => ({ key: producerKey(producer), value: goodBytes(producer, format, topic, encoders, -1) }),
  },
  {
    name: 'processing-rejects-async',
    formats: ['avro'],
    code: 'TRIBUTARY_PROCESSING',
    message: /mapAsync failed for the record at readings-avro-\d+ offset \d+: enrichment of producer \d+ found no sequence -2/,
    make: (producer, format, topic, encoders) => ({ key: producerKey(producer), value: goodBytes(producer, format, topic, encoders, -2) }),
  },
]
