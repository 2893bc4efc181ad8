/**
 * Bad input and its answer: every row of the table in RELIABILITY.md, through the public API.
 * Where a row (or part of one) is already tested elsewhere it is not repeated here; the tests
 * that cover it are listed below, and only what they miss is tested in this file. The promises the
 * code did not keep when these tests were written (eight of them, fixed since) say so above their
 * tests ("Found by this suite").
 *
 * 1. Topic name with `/`, `..`, empty, over 249 chars, outside `[a-zA-Z0-9._-]`:
 *    test/log/contract/topics.ts "the topic name %j is refused with InvalidTopicNameError and nothing
 *    is created" (createTopic; embedded, memory and Kafka); test/log/contract/delete-records.ts "the
 *    log's internal topics are refused with InvalidTopicNameError"; test/cli/command-line.test.ts
 *    "refuses an invalid topic name before touching the data directory". Here: every call that takes a
 *    topic, with no file-system call and nothing created inside or beside the data directory, and
 *    names coming from a hand-edited topics.json.
 * 2. Record over the max size, or a length prefix claiming gigabytes: test/log/contract/producer.ts
 *    "a record larger than maxRecordBytes throws RecordTooLargeError and nothing of that send is
 *    written" and "a producer keeps working after an oversized record was refused". Here: length
 *    prefixes claiming gigabytes in segment files (stored data: CorruptRecordError or a recovery cut,
 *    as "The embedded log" in the README says), and an over-long line given to `tributary produce`.
 * 3. CRC mismatch or truncated batch: test/corruption/segment-corruption.test.ts "a damaged log
 *    reopens, recovers its valid prefix and never serves damage" (generated cases: torn tails, bit flips,
 *    zeroed pages, header fields; CorruptRecordError with topic, partition and offset). Here: the
 *    records before a damaged batch reach a consumer that polls with the default maxRecords.
 * 4. Compressed batch that inflates without bound: the embedded log reads gzip batches (its own
 *    producer never compresses) and refuses snappy, lz4 and zstd. test/log/record-batch.test.ts
 *    "refuses a gzip batch that inflates beyond the cap" checks the internal decoder only (a 8 MiB
 *    bomb under a small cap). Here, through a consumer: a 5 GiB gzip bomb in a segment under the
 *    default cap with memory watched, each unsupported codec, and a gzip batch within the cap.
 * 5. Payload that does not deserialize: test/runtime/error-handlers.test.ts, "onDeserializationError"
 *    ("'fail' stops the app with a RecordDeserializationError naming topic, partition and offset",
 *    "'skip' counts the record in metrics().skipped and later records flow", "{ deadLetter } writes
 *    the original bytes and headers with the error and source headers", "a key that cannot be
 *    deserialized is handled like a value, its bytes kept in the dead letter").
 * 6. Hostile Avro: test/serde/avro-hostile.test.ts "Avro decoding of hostile payloads" (array and map
 *    blocks claiming 2^31 items, strings and bytes claiming 2^40 bytes, a fixed of 2^31 - 1 bytes,
 *    records and arrays nested 100,000 deep, schemas nested 100,000 deep, maxBytes, fuzzing). Here:
 *    the same bytes inside a running app reach the dead-letter topic and the next record flows.
 * 7. Offset negative, past the end, not a number: test/log/contract/consumer.ts "seeking to %s throws
 *    OffsetOutOfRangeError naming the valid range" (-1, end + 5, NaN; all three backends);
 *    test/log/contract/delete-records.ts "seeking below the new start is refused with
 *    OffsetOutOfRangeError naming the range" and "a consumer positioned below the new start gets
 *    OffsetOutOfRangeError from poll with autoOffsetReset 'none'"; test/log/embedded/retention.test.ts
 *    "seeking below the start offset after retention is an OffsetOutOfRangeError naming the range".
 *    Here: fractions and infinities, the position kept after a refused seek, and a committed offset
 *    out of range (reset only with a warning, or the error under 'none'). `tributary consume` has no
 *    --offset option, so the CLI takes no offset to check.
 * 8. Secrets in connector configs: test/connectors/runner/secrets.test.ts "come from an environment
 *    variable or a file, never from a literal", "print as [redacted] however they are printed" and
 *    "never appear in log lines, metrics, errors, dead letters or describe output" (a connector that
 *    logs its token and a client error quoting a connection string, through startConnector);
 *    test/cli/connect.test.ts "checks a config with --describe, showing secrets only by where they
 *    come from"; test/chaos/fuzz.test.ts "connector config parsing" (no secret value in any
 *    ConfigError). The Kafka SASL password: test/log/kafka/options.test.ts "never puts a SASL
 *    password in an error message".
 * 9. Insecure client settings: topics are never auto-created: test/log/contract/producer.ts "sending
 *    to a topic that does not exist throws UnknownTopicOrPartitionError and creates nothing" (against
 *    a real broker in kafka.contract.test.ts). Here: `ssl: true` verifies the broker's certificate
 *    (a local TLS server with a self-signed one), and SASL credentials over plaintext.
 * 10. Foreign files or links in the data directory: test/log/embedded/ownership.test.ts "foreign files
 *    in a partition directory are ignored with a warning" (a regular file in a partition, a foreign
 *    directory at the top); test/corruption/segment-corruption.test.ts stray cases (links to files
 *    outside, named like segments or not, are never written through; warnings not checked). Here:
 *    the warnings for links, a partition directory that is a link, links beside segments, and foreign
 *    entries at the top of the data directory.
 */
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { Readable } from 'node:stream'
import tls from 'node:tls'
import { gzipSync } from 'node:zlib'
import { describe, expect, test, vi } from 'vitest'
import {
  ConfigError,
  CorruptRecordError,
  InMemorySchemaRegistry,
  InvalidTopicNameError,
  LogError,
  OffsetOutOfRangeError,
  openKafkaLog,
  serdes,
  type Log,
} from '../../index.js'
import { mapValues } from '../../operators/index.js'
import { runCli } from '../cli/helpers.js'
import { driverPerTest } from '../operators/helpers.js'
import { BATCH_LENGTH_AT, CODEC, batchPositions, craftBatch, encodeRecord, gzipBomb, peakRssBytes, segmentFiles, varint } from './bad-input-batches.js'
import { errorOf, readPartition0, scratchPerTest, sendRecords, treeOf, type OpenedLog } from './bad-input-dirs.js'

const scratch = scratchPerTest()
const MiB = 1024 * 1024
/** How much the process's peak resident set may grow while refusing a hostile input. */
const PEAK_GROWTH_LIMIT_BYTES = 256 * MiB

const BAD_TOPIC_NAMES: readonly (readonly [string, string])[] = [
  ['a slash', 'a/b'],
  ['a parent path', '../escape'],
  ['dot-dot', '..'],
  ['dot', '.'],
  ['empty', ''],
  ['250 characters', 'a'.repeat(250)],
  ['a space', 'a b'],
  ['non-ASCII', 'ü'],
  ['a NUL byte', 'a\u0000b'],
  ['a backslash', 'a\\b'],
]

/** The synchronous file-system calls the embedded log makes; none may run for a refused name. */
const FS_CALLS = ['mkdirSync', 'openSync', 'readdirSync', 'readFileSync', 'writeFileSync', 'rmSync', 'renameSync', 'statSync', 'existsSync', 'fsyncSync'] as const

/** Runs `action` with every call of FS_CALLS counted; returns what it threw and the count. */
async function withFsCallsCounted(action: () => Promise<unknown>): Promise<{ error: unknown; fsCalls: number }> {
  const spies = FS_CALLS.map((name) => vi.spyOn(fs, name))
  try {
    const error = await errorOf(action)
    return { error, fsCalls: spies.reduce((total, spy) => total + spy.mock.calls.length, 0) }
  } finally {
    for (const spy of spies) spy.mockRestore()
  }
}

/** A log in `<root>/data` with one topic `events` holding one record, and the warnings it logs. */
async function logWithEvents(): Promise<{ log: Log; root: string; data: string; outside: string; warnings: string[] }> {
  const { root, data, outside } = scratch.make()
  const warnings: string[] = []
  const log = await scratch.open(data, warnings)
  await log.createTopic('events', { partitions: 1 })
  await sendRecords(log, 'events', 1)
  return { log, root, data, outside, warnings }
}

describe('1. topic names', () => {
  test.each(BAD_TOPIC_NAMES)('%s is refused by every admin call with InvalidTopicNameError, before any file-system call', async (_label, name) => {
    const { log, root } = await logWithEvents()
    const before = treeOf(root)
    const calls: readonly (() => Promise<unknown>)[] = [
      () => log.createTopic(name, { partitions: 1 }),
      () => log.describeTopic(name),
      () => log.deleteTopic(name),
      () => log.deleteRecords([{ topic: name, partition: 0, offset: 0 }]),
    ]
    for (const call of calls) {
      const { error, fsCalls } = await withFsCallsCounted(call)
      expect(error).toBeInstanceOf(InvalidTopicNameError)
      expect(error).toMatchObject({ code: 'TRIBUTARY_INVALID_TOPIC_NAME', topic: name })
      expect(fsCalls).toBe(0)
    }
    expect(treeOf(root)).toEqual(before)
    expect(await log.listTopics()).toEqual(['events'])
  })

  test.each(BAD_TOPIC_NAMES)('%s given to a producer or consumer makes no file-system call and no path', async (_label, name) => {
    const { log, root } = await logWithEvents()
    const before = treeOf(root)
    const calls: readonly (() => Promise<unknown>)[] = [
      () => log.producer().send([{ topic: name, value: Buffer.from('lost') }]),
      () => log.consumer().assign([{ topic: name, partition: 0 }]),
      () => log.consumer({ groupId: 'readers' }).subscribe([name]),
    ]
    for (const call of calls) {
      const { error, fsCalls } = await withFsCallsCounted(call)
      expect(error).toBeInstanceOf(LogError)
      expect(fsCalls).toBe(0)
    }
    expect(treeOf(root)).toEqual(before)
  })

  // Found by this suite: an illegal name given to a producer or consumer was answered as an unknown
  // topic (UnknownTopicOrPartitionError, telling the user to create it, which can never succeed).
  test('an illegal name given to a producer or consumer is answered with InvalidTopicNameError', async () => {
    const { log } = await logWithEvents()
    expect(await errorOf(() => log.producer().send([{ topic: '../escape', value: Buffer.from('lost') }]))).toBeInstanceOf(InvalidTopicNameError)
    expect(await errorOf(() => log.consumer().assign([{ topic: 'a/b', partition: 0 }]))).toBeInstanceOf(InvalidTopicNameError)
    expect(await errorOf(() => log.consumer({ groupId: 'readers' }).subscribe(['..']))).toBeInstanceOf(InvalidTopicNameError)
  })

  // Found by this suite: topics.json was trusted, and a name "../outside" made the log read, index
  // and append to <data>/../outside-0. Such a name is now left out, with a warning.
  test('a topics.json naming a path outside the data directory is refused, and nothing outside is touched', async () => {
    const { log, root, data } = await logWithEvents()
    await log.close()
    const registryFile = path.join(data, 'topics.json')
    const registry = JSON.parse(fs.readFileSync(registryFile, 'utf8')) as { topics: Record<string, unknown> }
    registry.topics['../escaped'] = registry.topics['events']
    fs.writeFileSync(registryFile, JSON.stringify(registry))
    const escaped = path.join(root, 'escaped-0')
    fs.mkdirSync(escaped)
    fs.copyFileSync(segmentFiles(path.join(data, 'events-0'))[0]!, path.join(escaped, '00000000000000000000.log'))
    const outsideBefore = treeOf(escaped)
    const warnings: string[] = []
    let reopened: OpenedLog | undefined
    try {
      reopened = await scratch.open(data, warnings)
    } catch (error) {
      expect(error).toBeInstanceOf(InvalidTopicNameError) // refusing to open is one answer, ignoring the name with a warning the other
    }
    if (reopened !== undefined) {
      expect(await reopened.listTopics()).toEqual(['events'])
      await reopened.producer().send([{ topic: '../escaped', partition: 0, value: Buffer.from('escaped') }]).catch(() => undefined)
      await reopened.close()
      expect(warnings.some((warning) => warning.includes('../escaped'))).toBe(true)
    }
    expect(treeOf(escaped)).toEqual(outsideBefore)
  })
})

/**
 * A closed log whose `events` partition holds 20 records in 1 KiB segments, its first segment's
 * bytes then changed by `edit`; returns the data directory.
 */
async function withFirstSegmentEdited(edit: (bytes: Buffer) => void): Promise<string> {
  const { data } = scratch.make()
  const log = await scratch.open(data)
  await log.createTopic('events', { partitions: 1, segmentBytes: 1024 })
  await sendRecords(log, 'events', 20)
  await log.close()
  const [first] = segmentFiles(path.join(data, 'events-0'))
  const bytes = fs.readFileSync(first!)
  edit(bytes)
  fs.writeFileSync(first!, bytes)
  return data
}

describe('2. oversized records and length prefixes claiming gigabytes', () => {
  test('a sealed segment whose batch claims 2 GiB is a CorruptRecordError at that offset, read in bounded memory; the next segments still read', async () => {
    const data = await withFirstSegmentEdited((bytes) => bytes.writeInt32BE(0x7fffffff, batchPositions(bytes)[1]! + BATCH_LENGTH_AT))
    const reopened = await scratch.open(data)
    const peakBefore = peakRssBytes()
    const consumer = reopened.consumer()
    await consumer.assign([{ topic: 'events', partition: 0 }])
    expect((await consumer.poll({ maxRecords: 1 })).map((record) => record.offset)).toEqual([0])
    const error = await errorOf(() => consumer.poll())
    expect(error).toBeInstanceOf(CorruptRecordError)
    expect(error).toMatchObject({ code: 'TRIBUTARY_CORRUPT_RECORD', topic: 'events', partition: 0, offset: 1 })
    expect(peakRssBytes() - peakBefore).toBeLessThan(PEAK_GROWTH_LIMIT_BYTES)
    const nextSegment = Number(path.basename(segmentFiles(path.join(data, 'events-0'))[1]!, '.log'))
    consumer.seek({ topic: 'events', partition: 0 }, nextSegment)
    expect((await consumer.poll()).map((record) => record.offset)).toEqual(Array.from({ length: 20 - nextSegment }, (_, i) => nextSegment + i))
  })

  test('an active segment whose last batch claims 2 GiB is cut on open, reported, and appends go on from the cut', async () => {
    const { data } = scratch.make()
    const log = await scratch.open(data)
    await log.createTopic('events', { partitions: 1 })
    await sendRecords(log, 'events', 20)
    await log.close()
    const [segment] = segmentFiles(path.join(data, 'events-0'))
    const bytes = fs.readFileSync(segment!)
    bytes.writeInt32BE(0x7fffffff, batchPositions(bytes)[10]! + BATCH_LENGTH_AT)
    fs.writeFileSync(segment!, bytes)
    const warnings: string[] = []
    const peakBefore = peakRssBytes()
    const reopened = await scratch.open(data, warnings)
    expect(peakRssBytes() - peakBefore).toBeLessThan(PEAK_GROWTH_LIMIT_BYTES)
    expect(reopened.recoveryEvents()).toEqual([expect.objectContaining({ topic: 'events', partition: 0, reason: expect.stringMatching(/claims 2147483659 bytes/) })])
    expect(warnings).toEqual([expect.stringMatching(/^recovered events-0: cut/)])
    expect((await readPartition0(reopened, 'events')).map((record) => record.offset)).toEqual(Array.from({ length: 10 }, (_, i) => i))
    expect((await reopened.producer().send([{ topic: 'events', partition: 0, value: Buffer.from('next') }]))[0]?.offset).toBe(10)
  })

  test('a record whose length prefix claims 1 GiB inside a batch with a valid CRC is never delivered', async () => {
    const { data } = scratch.make()
    const log = await scratch.open(data)
    await log.createTopic('events', { partitions: 1 })
    await sendRecords(log, 'events', 3)
    await log.close()
    const lying = craftBatch({ baseOffset: 3, timestamp: 1_700_000_001_000, recordCount: 1, codec: CODEC.none, body: Buffer.concat([varint(2 ** 30), Buffer.alloc(16)]) })
    fs.appendFileSync(segmentFiles(path.join(data, 'events-0'))[0]!, lying)
    const reopened = await scratch.open(data)
    expect(reopened.recoveryEvents()).toEqual([expect.objectContaining({ reason: expect.stringMatching(/claims 1073741824 bytes/) })])
    expect((await readPartition0(reopened, 'events')).map((record) => record.offset)).toEqual([0, 1, 2])
  })

  test('tributary produce refuses a line over maxRecordBytes with RecordTooLargeError, exit 1, and writes nothing', async () => {
    const { data } = scratch.make()
    expect((await runCli(['topics', 'create', 'lines', '--partitions', '1', '--data', data])).code).toBe(0)
    const stdin = endlessLine(32 * MiB)
    const run = await runCli(['produce', 'lines', '--data', data], { stdin: stdin.readable })
    expect(run.code).toBe(1)
    expect(run.stderr).toContain('TRIBUTARY_RECORD_TOO_LARGE')
    const log = await scratch.open(data)
    expect((await log.describeTopic('lines')).partitions[0]?.endOffset).toBe(0)
  })

  // Found by this suite: `tributary produce` buffered a line until its newline, however long, so a
  // multi-GB line without a newline exhausted memory before the producer refused it.
  test('tributary produce stops reading a line once it passes maxRecordBytes', async () => {
    const { data } = scratch.make()
    expect((await runCli(['topics', 'create', 'lines', '--partitions', '1', '--data', data])).code).toBe(0)
    const stdin = endlessLine(32 * MiB)
    const run = await runCli(['produce', 'lines', '--data', data], { stdin: stdin.readable })
    expect(run.stderr).toContain('TRIBUTARY_RECORD_TOO_LARGE')
    expect(stdin.bytesRead()).toBeLessThan(4 * MiB) // the default maxRecordBytes is 1 MiB + 12
  })
})

/** A stdin of `totalBytes` of "a" with no newline, in 64 KiB chunks, counting what was read. */
function endlessLine(totalBytes: number): { readable: Readable; bytesRead: () => number } {
  const chunk = Buffer.alloc(64 * 1024, 'a')
  let read = 0
  function* chunks(): Generator<Buffer> {
    while (read < totalBytes) {
      read += chunk.length
      yield chunk
    }
  }
  return { readable: Readable.from(chunks()), bytesRead: () => read }
}

describe('3. damaged batches', () => {
  // Found by this suite: a poll that met a damaged batch threw and dropped the valid records it had
  // read before it (only polls of fewer records reached them). Now they come first, as from Kafka's
  // consumer, and the next poll throws.
  test('the records before a damaged batch are delivered before the CorruptRecordError', async () => {
    let positions: number[] = []
    const data = await withFirstSegmentEdited((bytes) => {
      positions = batchPositions(bytes)
      const damaged = positions[positions.length - 1]!
      bytes[damaged + 70] = bytes[damaged + 70]! ^ 0xff // a byte of the last batch's value: its CRC no longer matches
    })
    const reopened = await scratch.open(data)
    const consumer = reopened.consumer()
    await consumer.assign([{ topic: 'events', partition: 0 }])
    const valid = positions.length - 1
    expect((await consumer.poll()).map((record) => record.offset)).toEqual(Array.from({ length: valid }, (_, i) => i))
    expect(await errorOf(() => consumer.poll())).toMatchObject({ code: 'TRIBUTARY_CORRUPT_RECORD', offset: valid })
  })
})

describe('4. compressed batches', () => {
  /** A log whose partition holds 20 records, then `batch(20)` appended to its active segment by hand. */
  async function withCraftedTail(batch: (baseOffset: number) => Buffer): Promise<Log> {
    const { data } = scratch.make()
    const log = await scratch.open(data)
    await log.createTopic('events', { partitions: 1 })
    await sendRecords(log, 'events', 20)
    await log.close()
    fs.appendFileSync(segmentFiles(path.join(data, 'events-0'))[0]!, batch(20))
    return scratch.open(data)
  }

  test('a gzip batch within the cap is read like any other', async () => {
    const records = Buffer.concat([encodeRecord(0, Buffer.from('zipped-0')), encodeRecord(1, Buffer.from('zipped-1'))])
    const log = await withCraftedTail((baseOffset) => craftBatch({ baseOffset, timestamp: 1_700_000_001_000, recordCount: 2, codec: CODEC.gzip, body: gzipSync(records) }))
    const read = await readPartition0(log, 'events')
    expect(read.slice(20).map((record) => [record.offset, String(record.value)])).toEqual([[20, 'zipped-0'], [21, 'zipped-1']])
  })

  test('a gzip bomb (5 GiB from 5 MB) is a CorruptRecordError at its offset, inflated no further than the cap', async () => {
    const bomb = gzipBomb(5 * 1024 * MiB)
    const log = await withCraftedTail((baseOffset) => craftBatch({ baseOffset, timestamp: 1_700_000_001_000, recordCount: 1, codec: CODEC.gzip, body: bomb }))
    const consumer = log.consumer()
    await consumer.assign([{ topic: 'events', partition: 0 }])
    expect(await consumer.poll({ maxRecords: 20 })).toHaveLength(20)
    const peakBefore = peakRssBytes()
    const error = await errorOf(() => consumer.poll())
    expect(peakRssBytes() - peakBefore).toBeLessThan(PEAK_GROWTH_LIMIT_BYTES)
    expect(error).toBeInstanceOf(CorruptRecordError)
    expect(error).toMatchObject({ topic: 'events', partition: 0, offset: 20 })
    expect((error as Error).message).toMatch(/gzip block inflates beyond 67108864 bytes/)
    expect(consumer.position({ topic: 'events', partition: 0 })).toBe(20)
  })

  test.each([
    ['snappy', CODEC.snappy],
    ['lz4', CODEC.lz4],
    ['zstd', CODEC.zstd],
  ])('a %s batch, a codec the embedded log does not read, is a CorruptRecordError naming it', async (name, codec) => {
    const log = await withCraftedTail((baseOffset) => craftBatch({ baseOffset, timestamp: 1_700_000_001_000, recordCount: 1, codec, body: Buffer.alloc(32, 7) }))
    const consumer = log.consumer()
    await consumer.assign([{ topic: 'events', partition: 0 }])
    expect(await consumer.poll({ maxRecords: 20 })).toHaveLength(20)
    const error = await errorOf(() => consumer.poll())
    expect(error).toBeInstanceOf(CorruptRecordError)
    expect(error).toMatchObject({ offset: 20 })
    expect((error as Error).message).toContain(`compression codec ${name} is not supported`)
  })
})

describe('6. hostile Avro in a running app', () => {
  const start = driverPerTest()

  test('an array block claiming 2^31 items goes to the dead-letter topic with its bytes, and the next record flows', async () => {
    const registry = new InMemorySchemaRegistry()
    const schema = { type: 'record', name: 'Basket', fields: [{ name: 'items', type: { type: 'array', items: 'int' } }] }
    const baskets = serdes.avro<{ items: number[] }>({ schema, registry })
    const driver = await start(
      (app) => {
        app
          .stream('baskets', { value: baskets })
          .pipe(mapValues((basket) => String(basket.items.length)))
          .to('sizes', { value: serdes.string() })
      },
      { onDeserializationError: { deadLetter: 'baskets-dlq' } },
    )
    const good = baskets.serialize({ items: [1, 2] }, { topic: 'baskets', isKey: false })
    const hostile = Buffer.concat([good.subarray(0, 5), varint(2 ** 31), Buffer.from([2, 0])])
    await driver.input('baskets').sendAll([{ value: hostile }, { value: good }])
    expect(await driver.output('sizes', { value: serdes.string() }).readValues()).toEqual(['2'])
    const [letter] = await driver.output('baskets-dlq').readAll()
    expect(letter?.value).toEqual(hostile)
    expect(letter?.headers.find((header) => header.key === 'tributary.error.message')?.value.toString()).toMatch(/array block claims 2147483648 items/)
  })
})

describe('7. offsets', () => {
  async function consumerAtOffset1(): Promise<{ log: Log; consumer: ReturnType<Log['consumer']> }> {
    const { data } = scratch.make()
    const log = await scratch.open(data)
    await log.createTopic('events', { partitions: 1 })
    await sendRecords(log, 'events', 3)
    const consumer = log.consumer()
    await consumer.assign([{ topic: 'events', partition: 0 }])
    consumer.seek({ topic: 'events', partition: 0 }, 1)
    return { log, consumer }
  }

  test.each([
    ['1.5', 1.5],
    ['Infinity', Number.POSITIVE_INFINITY],
    ['-Infinity', Number.NEGATIVE_INFINITY],
    ['2^53', 2 ** 53],
  ])('seeking to %s is an OffsetOutOfRangeError naming the range, and the position stays', async (_label, offset) => {
    const { consumer } = await consumerAtOffset1()
    const error = await errorOf(() => consumer.seek({ topic: 'events', partition: 0 }, offset))
    expect(error).toBeInstanceOf(OffsetOutOfRangeError)
    expect(error).toMatchObject({ topic: 'events', partition: 0, startOffset: 0, endOffset: 3 })
    expect((error as Error).message).toContain('valid offsets are 0 to 3')
    expect((await consumer.poll()).map((record) => record.offset)).toEqual([1, 2])
  })

  test('a committed offset past the end is reset only with a warning naming it and the range', async () => {
    const { data } = scratch.make()
    const warnings: string[] = []
    const log = await scratch.open(data, warnings)
    await log.createTopic('events', { partitions: 1 })
    await sendRecords(log, 'events', 3)
    await log.consumer({ groupId: 'readers' }).commit([{ topic: 'events', partition: 0, offset: 100 }])
    const member = log.consumer({ groupId: 'readers' })
    await member.subscribe(['events'])
    expect((await member.poll()).map((record) => record.offset)).toEqual([0, 1, 2])
    expect(warnings).toEqual([expect.stringMatching(/committed offset 100 of group readers is outside events-0 \[0, 3\]; resetting to earliest/)])
    await member.close()
    const strict = log.consumer({ groupId: 'readers', autoOffsetReset: 'none' })
    await strict.subscribe(['events'])
    expect(await errorOf(() => strict.poll())).toMatchObject({ code: 'TRIBUTARY_OFFSET_OUT_OF_RANGE', offset: 100, startOffset: 0, endOffset: 3 })
  })
})

describe('9. insecure client settings', () => {
  const hasOpenssl = spawnSync('openssl', ['version'], { stdio: 'ignore' }).status === 0

  test.skipIf(!hasOpenssl)('ssl: true refuses a broker whose certificate it cannot verify', async () => {
    const { root } = scratch.make()
    const made = spawnSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', path.join(root, 'key.pem'), '-out', path.join(root, 'cert.pem'), '-days', '1', '-subj', '/CN=localhost'], { stdio: 'ignore' })
    expect(made.status).toBe(0)
    let handshakes = 0
    const server = tls.createServer({ key: fs.readFileSync(path.join(root, 'key.pem')), cert: fs.readFileSync(path.join(root, 'cert.pem')) }, (socket) => {
      handshakes++
      socket.destroy()
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    try {
      const { port } = server.address() as { port: number }
      const error = await errorOf(() => openKafkaLog({ brokers: [`127.0.0.1:${port}`], ssl: true, retry: { retries: 0 }, logger: { warn: () => undefined } }))
      expect(error).toBeInstanceOf(LogError)
      expect((error as Error).message).toMatch(/self-signed certificate/)
      expect(handshakes).toBe(0)
    } finally {
      await new Promise((resolve) => server.close(resolve))
    }
  })

  // Found by this suite: `sasl` without `ssl` was accepted, so PLAIN sent the password, and SCRAM
  // its proof, over an unencrypted connection with no option asking for it.
  test('SASL credentials without TLS are refused with a ConfigError unless asked for explicitly', async () => {
    const error = await errorOf(() =>
      openKafkaLog({ brokers: ['127.0.0.1:1'], sasl: { mechanism: 'plain', username: 'app', password: 'secret' }, retry: { retries: 0 }, logger: { warn: () => undefined } }),
    )
    expect(error).toBeInstanceOf(ConfigError)
    expect(error).toMatchObject({ field: 'sasl' })
    expect(String(error)).not.toContain('secret')
    // Asked for explicitly, the options pass: what fails then is the connection (nothing listens there).
    const allowed = await errorOf(() =>
      openKafkaLog({ brokers: ['127.0.0.1:1'], sasl: { mechanism: 'plain', username: 'app', password: 'secret' }, allowPlaintextSasl: true, retry: { retries: 0 }, logger: { warn: () => undefined } }),
    )
    expect(allowed).toBeInstanceOf(LogError)
  })
})

describe('10. foreign files and links in the data directory', () => {
  test('links in a partition directory, named like a segment or not, are ignored with a warning and never followed', async () => {
    const { log, data, outside, warnings } = await logWithEvents()
    await log.close()
    fs.writeFileSync(path.join(outside, 'target'), 'not a segment')
    const partition = path.join(data, 'events-0')
    fs.symlinkSync(path.join(outside, 'target'), path.join(partition, '00000000000000000500.log'))
    fs.symlinkSync(path.join(outside, 'target'), path.join(partition, 'link-to-outside'))
    const outsideBefore = treeOf(outside)
    const reopened = await scratch.open(data, warnings)
    await sendRecords(reopened, 'events', 1)
    expect((await readPartition0(reopened, 'events')).map((record) => record.offset)).toEqual([0, 1])
    await reopened.close()
    expect(warnings).toEqual([
      expect.stringMatching(/^ignoring 00000000000000000500\.log in .*: named like a segment but not a regular file$/),
      expect.stringMatching(/^ignoring a foreign file link-to-outside in /),
    ])
    expect(treeOf(outside)).toEqual(outsideBefore)
  })

  // Found by this suite: a partition directory that was a link was opened through it, and the log read,
  // appended, indexed and snapshotted outside the data directory without a warning.
  test('a partition directory that is a link to outside is not followed, and a warning names it', async () => {
    const { log, data, outside, warnings } = await logWithEvents()
    await log.close()
    const moved = path.join(outside, 'events-0')
    fs.renameSync(path.join(data, 'events-0'), moved)
    fs.symlinkSync(moved, path.join(data, 'events-0'))
    const outsideBefore = treeOf(outside)
    const reopened = await scratch.open(data, warnings).catch(() => undefined)
    if (reopened !== undefined) {
      await reopened.producer().send([{ topic: 'events', partition: 0, value: Buffer.from('through the link?') }]).catch(() => undefined)
      await reopened.close()
    }
    expect(treeOf(outside)).toEqual(outsideBefore)
    expect(warnings.some((warning) => warning.includes('events-0'))).toBe(true)
  })

  // Found by this suite: index, time index and snapshot files were opened by name, so a link in their
  // place was read through, silently.
  test('links in place of index and snapshot files are not read through, and each gets a warning', async () => {
    const { data, outside } = scratch.make()
    const log = await scratch.open(data)
    await log.createTopic('events', { partitions: 1, segmentBytes: 1024 })
    await sendRecords(log, 'events', 20)
    await log.close()
    const partition = path.join(data, 'events-0')
    const linked = ['00000000000000000000.index', '00000000000000000000.timeindex', fs.readdirSync(partition).filter((name) => name.endsWith('.snapshot')).sort().at(-1)!]
    for (const name of linked) {
      fs.renameSync(path.join(partition, name), path.join(outside, name))
      fs.symlinkSync(path.join(outside, name), path.join(partition, name))
    }
    const warnings: string[] = []
    const reopened = await scratch.open(data, warnings)
    expect(await readPartition0(reopened, 'events')).toHaveLength(20)
    for (const name of linked) expect(warnings.some((warning) => warning.includes(name))).toBe(true)
  })

  // Found by this suite: a foreign file or a link beside the partitions was ignored without a word.
  test('a foreign file and a link at the top of the data directory are ignored with a warning', async () => {
    const { log, data, outside, warnings } = await logWithEvents()
    await log.close()
    fs.writeFileSync(path.join(data, 'notes.txt'), 'mine')
    fs.mkdirSync(path.join(outside, 'elsewhere-0'))
    fs.writeFileSync(path.join(outside, 'elsewhere-0', '00000000000000000000.log'), '')
    fs.symlinkSync(path.join(outside, 'elsewhere-0'), path.join(data, 'elsewhere-0'))
    const outsideBefore = treeOf(outside)
    const reopened = await scratch.open(data, warnings)
    expect(await readPartition0(reopened, 'events')).toHaveLength(1)
    await reopened.close()
    expect(treeOf(outside)).toEqual(outsideBefore)
    expect(fs.readFileSync(path.join(data, 'notes.txt'), 'utf8')).toBe('mine')
    expect(warnings.some((warning) => warning.includes('notes.txt'))).toBe(true)
    expect(warnings.some((warning) => warning.includes('elsewhere-0'))).toBe(true)
  })
})
