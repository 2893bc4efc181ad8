/**
 * The PostgreSQL sink's throughput: 1,000,000 keyed JSON records (~96-byte values, 250,000 keys
 * drawn with a seeded random, so most keys are updated several times) in a one-partition topic of
 * an embedded log, written by `postgres-sink` in upsert mode through the connector runner into a
 * table with a primary key, timed from `startConnector` until every record is put and `stop()`
 * (the last flush) has returned; the table must then hold the last value of every key.
 * `p50_ms` and `p99_ms` are the durations of the sink's batch writes (one transaction each: COPY
 * into staging, then INSERT … ON CONFLICT; the next batch is mapped meanwhile); `node_cpu_seconds`
 * is this process's CPU time in the timed span. Baselines in the same run: a plain `COPY` of the
 * same rows (encoded from the same values) with pg into a fresh table without indexes
 * (`plain_copy_records_per_s`, `ratio_to_plain_copy`), and the same upsert written by hand with
 * pg (`plain_upsert_records_per_s`, `ratio_to_plain_upsert`: what the runner and sink cost).
 * A throwaway PostgreSQL server is started for the run (test/connectors/postgres/pg-server.ts).
 */
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import pg from 'pg'
import { from as copyFrom } from 'pg-copy-streams'
import { openEmbeddedLog } from '../../../core/log/embedded/index.js'
import type { Log } from '../../../core/log/types.js'
import { defineSink } from '../../../connectors/api/define.js'
import { postgresSink } from '../../../connectors/postgres/index.js'
import { startConnector } from '../../../connectors/runner/index.js'
import { seededRandom } from '../../crash/seeded-random.js'
import { startPostgres } from '../../connectors/postgres/pg-server.js'
import { elapsedMs, latencyFigures, mbPerSecond, runWorkload, scaled, withTempDir } from '../report.js'

const topic = 'accounts'
const progressCheckMs = 2
const SINK_BATCH_SIZE = 20_000
const TABLE_COLUMNS = 'id bigint, owner text, amount numeric(12,2), ts bigint, note text'

interface Account {
  readonly id: number
  readonly owner: string
  readonly amount: number
  readonly ts: number
  readonly note: string
}

await runWorkload('connector-postgres', () =>
  withTempDir(async (dir) => {
    const records = scaled(1_000_000)
    const keys = Math.max(1, Math.round(records / 4))
    // Generated again from the seed wherever they are needed, so the timed phase does not carry a million live objects.
    const values = (): Generator<Account> => accounts(records, keys)
    const server = await startPostgres({ sharedBuffers: '256MB' })
    const client = new pg.Client({ host: server.host, port: server.port, user: server.user, password: server.password, database: server.database })
    const log = await openEmbeddedLog({ dir: join(dir, 'log'), durability: 'none' })
    try {
      await client.connect()
      const bytes = await fillTopic(log, values())

      await client.query(`CREATE TABLE plain_copy (${TABLE_COLUMNS})`)
      const plainStartNs = process.hrtime.bigint()
      await pipeline(Readable.from(copyChunks(values())), client.query(copyFrom('COPY plain_copy FROM STDIN')))
      const plainSeconds = elapsedMs(plainStartNs) / 1000

      const plainUpsertSeconds = await plainUpsert(client, values())

      await client.query(`CREATE TABLE accounts (${TABLE_COLUMNS}, PRIMARY KEY (id))`)
      process.env['TRIBUTARY_BENCH_PG_PASSWORD'] = server.password
      const batchLatenciesMs: number[] = []
      const cpuBefore = process.cpuUsage()
      const startNs = process.hrtime.bigint()
      const connector = await startConnector(
        log,
        {
          name: 'postgres-bench',
          connector: timedSink(batchLatenciesMs),
          topics: [topic],
          batchSize: 5_000,
          commitInterval: '5s',
          config: { host: server.host, port: server.port, database: server.database, user: server.user, password: { env: 'TRIBUTARY_BENCH_PG_PASSWORD' }, table: 'accounts', batchSize: SINK_BATCH_SIZE },
        },
        { logSink: () => undefined },
      )
      while (connector.metrics().records < records) await new Promise((resolve) => setTimeout(resolve, progressCheckMs))
      await connector.stop()
      const seconds = elapsedMs(startNs) / 1000
      const cpu = process.cpuUsage(cpuBefore)
      await checkTable(client, values(), keys)
      const plainRecordsPerS = records / plainSeconds
      return {
        records,
        keys,
        bytes,
        seconds,
        records_per_s: records / seconds,
        mb_per_s: mbPerSecond(bytes, seconds),
        ...latencyFigures(Float64Array.from(batchLatenciesMs)),
        batches: batchLatenciesMs.length,
        node_cpu_seconds: (cpu.user + cpu.system) / 1e6,
        plain_copy_records_per_s: plainRecordsPerS,
        ratio_to_plain_copy: records / seconds / plainRecordsPerS,
        plain_upsert_records_per_s: records / plainUpsertSeconds,
        ratio_to_plain_upsert: plainUpsertSeconds / seconds,
      }
    } finally {
      await log.close()
      await client.end().catch(() => undefined)
      await server.stop()
    }
  }),
)

/** The records' values, the same sequence on every call (seeded). */
function* accounts(records: number, keys: number): Generator<Account> {
  const random = seededRandom(20_261_126)
  for (let n = 0; n < records; n++) {
    const id = random.int(0, keys - 1)
    yield { id, owner: `user-${id % 1000}`, amount: random.int(0, 1_000_000) / 100, ts: 1_700_000_000_000 + n, note: `bench record ${n}` }
  }
}

/** The values in batches of `size`. */
function* batches(values: Iterable<Account>, size: number): Generator<Account[]> {
  let batch: Account[] = []
  for (const value of values) {
    batch.push(value)
    if (batch.length === size) {
      yield batch
      batch = []
    }
  }
  if (batch.length > 0) yield batch
}

async function fillTopic(log: Log, values: Iterable<Account>): Promise<number> {
  await log.createTopic(topic, { partitions: 1 })
  const producer = log.producer()
  let bytes = 0
  for (const values10k of batches(values, 10_000)) {
    const batch = values10k.map((value) => {
      const encoded = Buffer.from(JSON.stringify(value))
      bytes += encoded.length
      return { topic, key: Buffer.from(String(value.id)), value: encoded }
    })
    await producer.send(batch)
  }
  await producer.close()
  return bytes
}

function* copyChunks(values: Iterable<Account>): Generator<string> {
  let chunk = ''
  for (const value of values) {
    chunk += `${value.id}\t${value.owner}\t${value.amount}\t${value.ts}\t${value.note}\n`
    if (chunk.length >= 256 * 1024) {
      yield chunk
      chunk = ''
    }
  }
  if (chunk !== '') yield chunk
}

/**
 * The same upsert written by hand, for scale: batches of the sink's size, the last value per key,
 * COPY into a temporary table, `INSERT … SELECT … ORDER BY id ON CONFLICT (id) DO UPDATE`, one
 * transaction each. Returns the seconds it took.
 */
async function plainUpsert(client: pg.Client, values: Iterable<Account>): Promise<number> {
  await client.query(`CREATE TABLE plain_upsert (${TABLE_COLUMNS}, PRIMARY KEY (id))`)
  await client.query('CREATE TEMPORARY TABLE plain_staging ON COMMIT DELETE ROWS AS SELECT * FROM plain_upsert WITH NO DATA')
  const startNs = process.hrtime.bigint()
  for (const batch of batches(values, SINK_BATCH_SIZE)) {
    const last = new Map<number, Account>()
    for (const value of batch) last.set(value.id, value)
    await client.query('BEGIN')
    await pipeline(Readable.from(copyChunks([...last.values()])), client.query(copyFrom('COPY plain_staging FROM STDIN')))
    await client.query('INSERT INTO plain_upsert SELECT * FROM plain_staging ORDER BY id ON CONFLICT (id) DO UPDATE SET owner = EXCLUDED.owner, amount = EXCLUDED.amount, ts = EXCLUDED.ts, note = EXCLUDED.note')
    await client.query('COMMIT')
  }
  return elapsedMs(startNs) / 1000
}

/** postgres-sink, with the duration of each batch it wrote (its `batch_write_ms` gauge) recorded. */
function timedSink(latenciesMs: number[]) {
  return defineSink({
    ...postgresSink,
    start(config, context) {
      const gauge = (name: string, value: number): void => {
        if (name === 'batch_write_ms') latenciesMs.push(value)
        context.metrics.gauge(name, value)
      }
      return postgresSink.start(config, { ...context, metrics: { count: context.metrics.count, gauge } })
    },
  })
}

async function checkTable(client: pg.Client, values: Iterable<Account>, keys: number): Promise<void> {
  const last = new Map<number, Account>()
  for (const value of values) last.set(value.id, value)
  const { rows } = await client.query<{ id: string; amount: string; ts: string }>('SELECT id, amount, ts FROM accounts')
  if (rows.length !== last.size) throw new Error(`the table holds ${rows.length} rows, expected ${last.size} (of ${keys} keys)`)
  for (const row of rows) {
    const expected = last.get(Number(row.id))
    if (expected === undefined || Number(row.ts) !== expected.ts || Number(row.amount) !== expected.amount) throw new Error(`row ${row.id} is ${JSON.stringify(row)}, expected ${JSON.stringify(expected)}`)
  }
}
