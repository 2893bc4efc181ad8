/**
 * Suite 7 of RELIABILITY.md, fuzzing: fast-check properties over the inputs the log and the serdes
 * take from outside. Only typed errors, bounded time and memory; each property has a fixed seed,
 * so a run is deterministic, and its CI size is multiplied by TRIBUTARY_CHAOS_SCALE.
 *
 * 1. Topic names: createTopic succeeds exactly for Kafka's rule (1–249 of `[a-zA-Z0-9._-]`, not
 *    `.`/`..`, and not a reserved `__` name, as the README's error table says), otherwise throws
 *    InvalidTopicNameError; nothing is created outside the data directory. describeTopic and
 *    deleteTopic answer a name no topic has with InvalidTopicNameError or UnknownTopicOrPartitionError.
 * 2. The segment loader: segment files replaced or mutated (random bytes, splices of their own
 *    batches, overwrites, truncations); open never throws; reads return written records only, or a
 *    CorruptRecordError.
 * 3. The index loader: `.index`, `.timeindex` and `.snapshot` files mutated; open never throws,
 *    every record reads back, every offset and timestamp lookup lands where it should, and a
 *    snapshot whose fields were edited is never trusted (it once was: a TypeError on open, or
 *    read_committed readers shown aborted records or stalled).
 * 4. Avro with untrusted schemas: a typed error (ConfigError, SchemaRegistryError, SerdeError) or a
 *    working serde, which answers random bytes with a value or a SerdeError, in bounded time and heap.
 * 5. Connector config parsing: arbitrary JSON (and JSON near a valid config) against a schema with
 *    every field type: a ConfigError naming a field of the config, or a config whose every value
 *    has its field's type; never another error, and never a secret's value in a message. The
 *    same for whole `tributary connect` configs (parseConnectConfig).
 *
 * Already covered elsewhere, so not repeated here:
 * - test/log/record-batch.test.ts: the record-batch codec round-trips any records fast-check
 *   invents, and checkBatch catches every single-bit flip and truncation of a batch;
 * - test/serde/avro-hostile.test.ts: any bytes, and damaged valid payloads, against one fixed
 *   hostile schema, plus hand-built huge counts, deep nesting and recursion limits;
 * - test/corruption/: seeded, targeted damage with an exact oracle (which batch survives, what is
 *   cut). The properties here are its shrinking, untargeted complement and reuse its template
 *   builder and readers.
 */
import fs from 'node:fs'
import os from 'node:os'
import v8 from 'node:v8'
import vm from 'node:vm'
import path from 'node:path'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import {
  ConfigError,
  InMemorySchemaRegistry,
  InvalidTopicNameError,
  SchemaRegistryError,
  SerdeError,
  UnknownTopicOrPartitionError,
  openEmbeddedLog,
  serdes,
  type AvroSchemaDefinition,
  type Log,
  type Serde,
} from '../../index.js'
import { makeScratchDirectory } from '../crash/scratch.js'
import { describeError, seekEveryOffsetProblems, timestampLookupProblems } from '../corruption/read-back.js'
import type { Template } from '../corruption/templates.js'
import { framed } from '../serde/helpers.js'
import { CLEAN } from './checker.js'
import { avroLikeSchema, nestedContainers, WORKING_SCHEMAS, type SchemaLike } from './fuzz-avro-schemas.js'
import { applyJsonEdits, applyMutations, byteMutations, snapshotEdits } from './fuzz-mutations.js'
import { buildFuzzTemplate, committedOffsets, openDamagedCopy, partitionFiles, readBack, replaceFile } from './fuzz-partition.js'
import { chaosScale, reportSuite } from './report.js'
import { field, parseConfig, parseConnectConfig, Secret } from '../../connectors/index.js'

const SEED = 7007
/** "Well under a second" per case; a case over it fails its property. */
const CASE_BUDGET_MS = 1000
const HEAP_GROWTH_LIMIT_BYTES = 200 * 1024 * 1024
const quiet = { warn: () => undefined }
const tally = {
  runs: 0,
  inputs: 0,
  failures: 0,
  slowestCaseMs: 0,
  /** How the segment property's cases ended: a CorruptRecordError, fewer records (a recovery cut), or every record. */
  segmentOutcomes: { corrupt: 0, cut: 0, intact: 0 },
  /** How the Avro properties' schemas ended: a working serde or a typed error; and their decodes. */
  avroOutcomes: { serdes: 0, refused: 0, values: 0, serdeErrors: 0 },
}

/** A full garbage collection (V8's `gc`, exposed for this process only). */
function collectGarbage(): void {
  v8.setFlagsFromString('--expose-gc')
  ;(vm.runInNewContext('gc') as () => void)()
}

const runsOf = (ciRuns: number): number => Math.max(1, Math.round(ciRuns * chaosScale()))

/** Runs `fc.assert` with a fixed seed and counts its runs, and a failure as a state mismatch. */
async function assertProperty<T>(property: fc.IAsyncPropertyWithHooks<T>, seed: number, ciRuns: number): Promise<void> {
  const numRuns = runsOf(ciRuns)
  try {
    await fc.assert(property, { seed, numRuns })
  } catch (error) {
    tally.failures++
    throw error
  }
  tally.runs += numRuns
}

/** Times one case: fails it past CASE_BUDGET_MS. */
async function timed(run: () => Promise<void> | void): Promise<void> {
  const started = performance.now()
  await run()
  const elapsedMs = performance.now() - started
  tally.slowestCaseMs = Math.max(tally.slowestCaseMs, elapsedMs)
  expect(elapsedMs).toBeLessThan(CASE_BUDGET_MS)
}

afterAll(() => {
  console.log(`fuzz: slowest case ${tally.slowestCaseMs.toFixed(0)} ms; segment cases ${JSON.stringify(tally.segmentOutcomes)}; avro ${JSON.stringify(tally.avroOutcomes)}`)
  if (tally.runs > 0) reportSuite({ suite: 'fuzz', runs: tally.runs, faults_injected: tally.inputs, ...CLEAN, state_mismatch: tally.failures })
})

describe('topic-name validation', () => {
  const KAFKA_RULE = /^[a-zA-Z0-9._-]{1,249}$/
  const isLegal = (name: string): boolean => KAFKA_RULE.test(name) && name !== '.' && name !== '..' && !name.startsWith('__')
  const piece = fc.constantFrom('.', '..', '/', '\\', '\0', '__', 'a', 'Z', '9', '-', '_', ' ', '%2F', 'é', '\u202e', '\n', '~', '\uD800')
  const topicName = fc.oneof(
    fc.string({ maxLength: 20 }),
    fc.string({ unit: 'binary', maxLength: 20 }),
    fc.array(piece, { maxLength: 12 }).map((pieces) => pieces.join('')),
    fc.stringMatching(/^[a-zA-Z0-9._-]{1,30}$/),
    fc.tuple(fc.constantFrom('a', '.', '-', '_', '/'), fc.integer({ min: 240, max: 260 }), fc.constantFrom('', 'b', '/', '.')).map(([run, length, tail]) => run.repeat(length) + tail),
  )

  /** Runs `body` with a fresh log in `<parent>/data`, then closes it and removes the parent. */
  async function withScratchLog(body: (log: Log, parent: string, dataDir: string) => Promise<void>): Promise<void> {
    const parent = makeScratchDirectory('tributary-fuzz-names-', 64 * 1024 * 1024)
    const dataDir = path.join(parent, 'data')
    const log = await openEmbeddedLog({ dir: dataDir, durability: 'none', maintenanceIntervalMs: 0, logger: quiet })
    try {
      await body(log, parent, dataDir)
    } finally {
      await log.close()
      fs.rmSync(parent, { recursive: true, force: true })
    }
  }

  test('createTopic creates exactly the legal names, throws InvalidTopicNameError for the rest, and writes only inside the data directory', async () => {
    await withScratchLog(async (log, parent, dataDir) => {
      const parentListing = fs.readdirSync(parent).sort()
      const ownEntries = fs.readdirSync(dataDir).sort()
      const property = fc.asyncProperty(topicName, async (name) => {
        tally.inputs++
        let created = false
        try {
          await log.createTopic(name, { partitions: 1 })
          created = true
        } catch (error) {
          if (!(error instanceof InvalidTopicNameError)) throw new Error(`createTopic(${JSON.stringify(name)}) threw ${describeError(error)}`)
        }
        expect(created).toBe(isLegal(name))
        expect(fs.readdirSync(parent).sort()).toEqual(parentListing)
        expect(fs.readdirSync(dataDir).sort()).toEqual(created ? [...ownEntries, `${name}-0`].sort() : ownEntries)
        if (created) await log.deleteTopic(name)
      })
      await assertProperty(property, SEED + 1, 2000)
    })
  })

  test('describeTopic and deleteTopic answer a name no topic has with InvalidTopicNameError or UnknownTopicOrPartitionError', async () => {
    await withScratchLog(async (log) => {
      const property = fc.asyncProperty(topicName, fc.constantFrom('describeTopic', 'deleteTopic'), async (name, operation) => {
        tally.inputs++
        const call = operation === 'describeTopic' ? () => log.describeTopic(name) : () => log.deleteTopic(name)
        const error = await call().then(() => undefined, (caught: unknown) => caught)
        // `__` names of the log's internal topics exist; any other legal name is simply unknown.
        if (name === '__consumer_offsets' || name === '__transaction_state') return
        const expected = KAFKA_RULE.test(name) && name !== '.' && name !== '..' ? UnknownTopicOrPartitionError : InvalidTopicNameError
        expect(error, `${operation}(${JSON.stringify(name)}) threw ${describeError(error)}`).toBeInstanceOf(expected)
      })
      await assertProperty(property, SEED + 7, 1000)
    })
  })
})

describe('loaders of a damaged partition', () => {
  let scratch = ''
  let template: Template
  let caseNumber = 0
  const nextCaseDir = (): string => path.join(scratch, `case-${caseNumber++ % 2}`)

  beforeAll(async () => {
    scratch = makeScratchDirectory('tributary-fuzz-loader-', 64 * 1024 * 1024)
    template = await buildFuzzTemplate(path.join(scratch, 'template'), SEED)
  })
  afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }))

  test('the segment loader opens any mutated segment files and serves only written records, or a CorruptRecordError', async () => {
    const segments = partitionFiles(template, '.log')
    expect(segments.length).toBeGreaterThan(3)
    const damage = fc.array(fc.record({ segment: fc.nat({ max: segments.length - 1 }), edits: byteMutations(8192, 4) }), { minLength: 1, maxLength: 2 })
    const property = fc.asyncProperty(damage, fc.boolean(), async (damages, readOnly) => {
      tally.inputs += damages.length
      await timed(async () => {
        const mutate = (dir: string): void => {
          for (const { segment, edits } of damages) replaceFile(dir, segments[segment]!, (old) => applyMutations(old, edits))
        }
        const opened = await openDamagedCopy(template, nextCaseDir(), mutate, readOnly)
        if ('openError' in opened) throw new Error(`opening threw ${describeError(opened.openError)}`)
        try {
          const { problems, recordsRead, threw } = await readBack(opened.log, template.written[0]!, { mayThrow: true, complete: false })
          expect(problems).toEqual([])
          if (threw) tally.segmentOutcomes.corrupt++
          else if (recordsRead < template.written[0]!.length) tally.segmentOutcomes.cut++
          else tally.segmentOutcomes.intact++
        } finally {
          await opened.log.close()
        }
      })
    })
    await assertProperty(property, SEED + 2, 1000)
  })

  test('the index loader opens any mutated index, time index and snapshot files, and every record and lookup stays exact', async () => {
    const files = [...partitionFiles(template, '.index'), ...partitionFiles(template, '.timeindex'), ...partitionFiles(template, '.snapshot')]
    const written = template.written[0]!
    const firstTimestamp = written[0]!.timestamp
    const lastTimestamp = written[written.length - 1]!.timestamp
    const damage = fc.array(fc.record({ file: fc.nat({ max: files.length - 1 }), edits: byteMutations(512, 3) }), { minLength: 1, maxLength: 3 })
    const timestamps = fc.array(fc.integer({ min: firstTimestamp - 20, max: lastTimestamp + 20 }), { minLength: 1, maxLength: 5 })
    const property = fc.asyncProperty(damage, timestamps, fc.boolean(), async (damages, lookups, readOnly) => {
      tally.inputs += damages.length
      await timed(async () => {
        const mutate = (dir: string): void => {
          for (const { file, edits } of damages) replaceFile(dir, files[file]!, (old) => applyMutations(old, edits))
        }
        const opened = await openDamagedCopy(template, nextCaseDir(), mutate, readOnly)
        if ('openError' in opened) throw new Error(`opening threw ${describeError(opened.openError)}`)
        try {
          expect((await readBack(opened.log, written, { mayThrow: false, complete: true })).problems).toEqual([])
          expect(await timestampLookupProblems(opened.log, 0, written, lookups)).toEqual([])
          expect(await seekEveryOffsetProblems(opened.log, 0, written)).toEqual([])
        } finally {
          await opened.log.close()
        }
      })
    })
    await assertProperty(property, SEED + 3, 600)
  })

  // Found by this suite: the producer-state snapshot was trusted once it parsed, so `"ongoing":[5]`
  // made openEmbeddedLog throw a TypeError, and a well-formed lie such as `"ongoing":[[7,0]]` pinned
  // the last stable offset at 0, hiding every committed record from read_committed readers for good.
  // Snapshots now carry a CRC32C of their JSON (as Kafka's do) and their entries are checked; one
  // that does not check out is ignored and the segments are replayed (a snapshot is only a cache).
  describe('a producer-state snapshot whose fields lie', () => {
    const activeSnapshot = (): string => partitionFiles(template, '.snapshot').at(-1)!
    /** Edits the snapshot's JSON after its checksum line, which stays as it was (the edit does not recompute it). */
    const withSnapshot = (edits: Parameters<typeof applyJsonEdits>[1]) => (dir: string): void =>
      replaceFile(dir, activeSnapshot(), (old) => {
        const text = old.toString('utf8')
        const newline = text.indexOf('\n')
        return Buffer.from(`${text.slice(0, newline + 1)}${applyJsonEdits(text.slice(newline + 1), edits)}`)
      })

    test('opening never throws for an ongoing entry that is not a pair: {"ongoing":[5]}', async () => {
      const opened = await openDamagedCopy(template, nextCaseDir(), withSnapshot([{ field: 'ongoing', value: [5] }]), false)
      if ('log' in opened) await opened.log.close()
      expect('openError' in opened ? describeError(opened.openError) : 'opened').toBe('opened')
    })

    test('read_committed readers are not stalled by a phantom open transaction: {"ongoing":[[7,0]]}', async () => {
      const intact = await openDamagedCopy(template, nextCaseDir(), () => undefined, true)
      if (!('log' in intact)) throw new Error('the intact template does not open')
      const expected = await committedOffsets(intact.log)
      await intact.log.close()
      const opened = await openDamagedCopy(template, nextCaseDir(), withSnapshot([{ field: 'ongoing', value: [[7, 0]] }]), false)
      if (!('log' in opened)) throw new Error(`opening threw ${describeError(opened.openError)}`)
      try {
        expect(await committedOffsets(opened.log)).toEqual(expected)
      } finally {
        await opened.log.close()
      }
    })

    test('any edit of the snapshot fields leaves open, read_uncommitted and read_committed reads as they were', async () => {
      const intact = await openDamagedCopy(template, nextCaseDir(), () => undefined, true)
      if (!('log' in intact)) throw new Error('the intact template does not open')
      const expected = await committedOffsets(intact.log)
      await intact.log.close()
      const property = fc.asyncProperty(snapshotEdits(), async (edits) => {
        tally.inputs += edits.length
        const opened = await openDamagedCopy(template, nextCaseDir(), withSnapshot(edits), false)
        if (!('log' in opened)) throw new Error(`opening threw ${describeError(opened.openError)}`)
        try {
          expect((await readBack(opened.log, template.written[0]!, { mayThrow: false, complete: true })).problems).toEqual([])
          expect(await committedOffsets(opened.log)).toEqual(expected)
        } finally {
          await opened.log.close()
        }
      })
      await fc.assert(property, { seed: SEED + 6, numRuns: runsOf(100) })
    })
  })
})

describe('Avro decoding with untrusted schemas', () => {
  const context = { topic: 'fuzz', isKey: false }
  /** Random bytes, and bytes near a valid encoding (zeros, small varints: nulls, empty collections, branch 0 or 1). */
  const body = fc.oneof(fc.uint8Array({ maxLength: 96 }), fc.array(fc.constantFrom(0, 0, 0, 1, 2, 4, 0x80), { maxLength: 40 }).map((bytes) => Uint8Array.from(bytes)))
  const bodies = fc.array(body, { minLength: 1, maxLength: 8 })

  /** The schema as the serde's API takes it: the point is to hand over what a typed caller would not. */
  const untrusted = (schema: SchemaLike): AvroSchemaDefinition => schema as AvroSchemaDefinition

  /** Runs `make`; a typed error is an answer (undefined), any other error fails the property. */
  function typedOrValue<T>(what: string, make: () => T): T | undefined {
    try {
      return make()
    } catch (error) {
      if (error instanceof ConfigError || error instanceof SchemaRegistryError || error instanceof SerdeError) return undefined
      throw new Error(`${what} threw ${describeError(error)}`, { cause: error })
    }
  }

  /** Builds the serde of `schema` (or gets its typed error) and decodes each body under each registered writer schema. */
  function decodeUnder(schema: SchemaLike, writers: readonly SchemaLike[], payloads: readonly Uint8Array[]): void {
    const registry = new InMemorySchemaRegistry()
    const serde: Serde<unknown> | undefined = typedOrValue('serdes.avro', () => serdes.avro({ schema: untrusted(schema), registry }))
    const ids = [schema, ...writers].flatMap((writer) => typedOrValue('register', () => registry.register('fuzz-value', untrusted(writer))) ?? [])
    tally.inputs += 1 + writers.length + payloads.length
    if (serde === undefined) {
      tally.avroOutcomes.refused++
      return
    }
    tally.avroOutcomes.serdes++
    for (const id of ids) {
      for (const body of payloads) {
        const decoded = typedOrValue('deserialize', () => ({ value: serde.deserialize(framed(id, Buffer.from(body)), context) }))
        if (decoded === undefined) tally.avroOutcomes.serdeErrors++
        else tally.avroOutcomes.values++
      }
    }
  }

  let heapBefore = 0
  beforeAll(() => {
    collectGarbage()
    heapBefore = process.memoryUsage().heapUsed
  })

  test('an arbitrary schema gives a typed error or a serde that answers any bytes with a value or a SerdeError', async () => {
    const property = fc.asyncProperty(avroLikeSchema(5), avroLikeSchema(4), bodies, async (schema, writer, payloads) => {
      await timed(() => decodeUnder(schema, [writer], payloads))
    })
    await assertProperty(property, SEED + 4, 4000)
  })

  test('recursive, deeply nested and huge-fixed schemas answer any bytes with a value or a SerdeError', async () => {
    const schema = fc.oneof(fc.constantFrom(...WORKING_SCHEMAS), fc.integer({ min: 1, max: 3000 }).map(nestedContainers))
    const longBodies = fc.array(fc.oneof(body, fc.uint8Array({ maxLength: 2048 })), { minLength: 1, maxLength: 8 })
    const property = fc.asyncProperty(schema, fc.constantFrom(...WORKING_SCHEMAS), longBodies, async (reader, writer, payloads) => {
      await timed(() => decodeUnder(reader, [writer], payloads))
    })
    await assertProperty(property, SEED + 5, 400)
  })

  test('the heap grows by less than 200 MB over the Avro properties', () => {
    // Measured after a full collection on both sides: what the properties keep, not garbage a busy machine has not collected yet.
    collectGarbage()
    expect(process.memoryUsage().heapUsed - heapBefore).toBeLessThan(HEAP_GROWTH_LIMIT_BYTES)
  })
})

describe('connector config parsing', () => {
  const SECRET_VALUE = 'fuzz-secret-value-1234'
  const schema = {
    path: field.string(),
    format: field.oneOf(['jsonl', 'csv'] as const, { default: 'jsonl' }),
    batch: field.integer({ min: 1, max: 10_000, optional: true }),
    ratio: field.number({ min: 0, max: 1, default: 0.5 }),
    follow: field.boolean({ default: true }),
    every: field.duration({ default: '1s' }),
    password: field.secret({ optional: true }),
    columns: field.list(field.string(), { optional: true }),
    extra: field.json({ optional: true }),
  }
  const near = fc.record({
    path: fc.oneof(fc.string(), fc.jsonValue()),
    format: fc.oneof(fc.constantFrom('jsonl', 'csv', 'tsv', ''), fc.jsonValue()),
    batch: fc.oneof(fc.integer(), fc.double(), fc.jsonValue()),
    ratio: fc.oneof(fc.double(), fc.jsonValue()),
    every: fc.oneof(fc.constantFrom('5s', '10m', '1.5h', 'soon', '-1s'), fc.integer(), fc.jsonValue()),
    password: fc.oneof(fc.constant({ env: 'TRIBUTARY_FUZZ_SECRET' }), fc.constant({ env: 'TRIBUTARY_FUZZ_UNSET' }), fc.constant({ file: '/nonexistent/secret' }), fc.constant(SECRET_VALUE), fc.jsonValue()),
    columns: fc.oneof(fc.array(fc.string()), fc.jsonValue()),
    extra: fc.jsonValue(),
    unknown: fc.jsonValue(),
  }, { requiredKeys: [] })
  const configs = fc.oneof(fc.jsonValue(), near)

  test('any JSON gives a typed config or a ConfigError naming one of its fields, without the secret', async () => {
    process.env.TRIBUTARY_FUZZ_SECRET = SECRET_VALUE
    try {
      await assertProperty(fc.asyncProperty(configs, async (input) => {
        tally.inputs++
        await timed(() => {
          try {
            const config = parseConfig(schema, input, 'connectors.fuzz.config')
            expect(typeof config.path).toBe('string')
            expect(['jsonl', 'csv']).toContain(config.format)
            expect(config.batch === undefined || Number.isSafeInteger(config.batch)).toBe(true)
            expect(Number.isSafeInteger(config.every) && config.every >= 0).toBe(true)
            expect(config.password === undefined || config.password instanceof Secret).toBe(true)
            expect(JSON.stringify(config)).not.toContain(SECRET_VALUE)
          } catch (error) {
            if (!(error instanceof ConfigError)) throw new Error(`parseConfig threw ${describeError(error)}`, { cause: error })
            expect(error.field.startsWith('connectors.fuzz.config')).toBe(true)
            expect(error.message).not.toContain(SECRET_VALUE)
          }
        })
      }), SEED + 20, 2_000)
    } finally {
      delete process.env.TRIBUTARY_FUZZ_SECRET
    }
  })

  test('any JSON as a whole connect config gives connectors or a ConfigError', async () => {
    const wholeConfigs = fc.oneof(
      fc.jsonValue(),
      fc.record({ log: fc.oneof(fc.record({ data: fc.string() }), fc.jsonValue()), connectors: fc.oneof(fc.array(fc.record({ name: fc.oneof(fc.string(), fc.jsonValue()), connector: fc.oneof(fc.constantFrom('file-sink', 'no-such', './missing', ''), fc.jsonValue()), topics: fc.jsonValue(), config: fc.jsonValue() }, { requiredKeys: [] }), { maxLength: 3 }), fc.jsonValue()) }, { requiredKeys: [] }),
    )
    await assertProperty(fc.asyncProperty(wholeConfigs, async (input) => {
      tally.inputs++
      try {
        await parseConnectConfig(input, os.tmpdir())
      } catch (error) {
        if (!(error instanceof ConfigError)) throw new Error(`parseConnectConfig threw ${describeError(error)}`, { cause: error })
      }
    }), SEED + 21, 300)
  })
})
