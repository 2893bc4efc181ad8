import type pg from 'pg'
import { ConfigError } from '../../core/errors.js'
import { defineSink } from '../api/define.js'
import { RecordRejectedError } from '../api/errors.js'
import type { Secret } from '../api/secret.js'
import type { SinkContext, SinkRecord, SinkTask } from '../api/types.js'
import { connect } from './connection.js'
import { parseTableName } from './identifiers.js'
import { pgFailure } from './pg-errors.js'
import { lastPerKey, RowMapper, type RowChange } from './row-mapping.js'
import { postgresSinkConfig, resolveColumns, type PostgresSinkConfig } from './sink-config.js'
import { readTableShape } from './table-columns.js'
import { TableWriter, type WriteTarget } from './table-writer.js'

/**
 * Writes JSON records to a PostgreSQL table: `upsert` keeps the last value per key (`INSERT … ON
 * CONFLICT DO UPDATE`; a tombstone deletes the row), `insert` appends every record. Records are
 * buffered up to `batchSize` and written in one transaction per batch (COPY, then one statement),
 * and every flush writes what is buffered. A row PostgreSQL refuses (a value of the wrong type, a
 * NOT NULL or check violation) goes to the dead-letter topic with the server's message; the rest
 * of its batch is written. A lost connection, a serialization failure or a server shutting down
 * is retriable. At least once: after a crash, records since the last commit are written again,
 * which upserts make harmless.
 *
 * @example
 * await startConnector(log, {
 *   name: 'orders-db', connector: postgresSink, topics: ['orders'], deadLetterTopic: 'orders-dlq',
 *   config: { database: 'shop', user: 'app', password: { env: 'PGPASSWORD' }, table: 'orders', keyColumns: ['id'] },
 * })
 */
export const postgresSink = defineSink({
  name: 'postgres-sink',
  description: 'writes JSON records to a PostgreSQL table (upsert by key, or insert), in batches',
  config: postgresSinkConfig,
  serdes: { key: 'string', value: 'json' },
  start: startPostgresSink,
})

async function startPostgresSink(config: PostgresSinkConfig, context: SinkContext<unknown, unknown>): Promise<SinkTask<unknown, unknown>> {
  const secrets: Secret[] = config.password === undefined ? [] : [config.password]
  const table = parseTableName(config.table, 'config.table')
  let client: pg.Client | undefined = await connect(config, context.name, secrets)
  let target: WriteTarget
  try {
    const shape = await readTableShape(client, table)
    if (shape === undefined) throw new ConfigError('config.table', `there is no table ${table.text} in database ${config.database}; create it first`)
    target = { table, mode: config.mode, ...resolveColumns(config, shape) }
  } catch (error) {
    await client.end().catch(() => undefined)
    throw error instanceof ConfigError ? error : pgFailure(context.name, `cannot read the columns of ${table.text}`, error, secrets)
  }
  const mapper = new RowMapper(target.columns, target.keyColumns, config.deleteOnNull && config.mode === 'upsert')
  let writer: TableWriter | undefined
  let buffered: RowChange[] = []
  let lastPut: readonly SinkRecord[] | undefined
  /** How many records of `lastPut` are mapped: a retried put resumes after them. */
  let mapped = 0
  /** Refused rows of committed batches not yet handed to the dead-letter topic (kept across a failed hand-over). */
  const undelivered: { readonly record: SinkRecord; readonly error: Error }[] = []

  async function openWriter(): Promise<TableWriter> {
    client ??= await connect(config, context.name, secrets)
    writer ??= await TableWriter.open(client, target)
    return writer
  }

  /** Drops the connection after a failure: the runner's retry starts with a fresh one. */
  async function discardConnection(): Promise<void> {
    const dropped = client
    client = undefined
    writer = undefined
    await dropped?.end().catch(() => undefined)
  }

  /** The batch being written while `put` returns (one at a time): Node maps the next records while PostgreSQL works. */
  let inFlight: Promise<void> | undefined
  /** How many changes at the head of the buffer the batch in flight holds. */
  let inFlightCount = 0

  /**
   * Writes the first `batchSize` buffered changes in one transaction and drops them from the
   * buffer once committed; on failure they stay at its head, for the retry.
   */
  async function writeFirstBatch(): Promise<void> {
    const batch = buffered.slice(0, config.batchSize)
    inFlightCount = batch.length
    const changes = config.mode === 'upsert' ? lastPerKey(batch) : batch
    const startedAt = context.clock.now()
    let refused
    try {
      refused = await (await openWriter()).write(changes)
    } catch (error) {
      await discardConnection()
      inFlightCount = 0
      throw pgFailure(context.name, `writing ${changes.length} rows to ${table.text} failed`, error, secrets)
    }
    buffered = buffered.slice(batch.length)
    inFlightCount = 0
    context.metrics.gauge('batch_write_ms', context.clock.now() - startedAt)
    context.metrics.count('rows_written', changes.length - refused.length)
    context.metrics.count('rows_refused', refused.length)
    for (const { change, error } of refused) {
      undelivered.push({ record: change.record, error: new RecordRejectedError(`PostgreSQL refused the row for ${table.text}: ${error.message}`, { code: 'TRIBUTARY_POSTGRES_ROW_REFUSED', cause: error }) })
    }
    await deliverDeadLetters()
  }

  async function deliverDeadLetters(): Promise<void> {
    while (undelivered.length > 0) {
      const { record, error } = undelivered[0]!
      await context.deadLetter(record, error)
      undelivered.shift()
    }
  }

  /** Waits for the batch in flight; its failure is thrown here (and its changes are written again next time). */
  async function settle(): Promise<void> {
    const running = inFlight
    inFlight = undefined
    await running
  }

  return {
    async put(records) {
      if (records !== lastPut) {
        // A retried put hands the same records again: each is buffered once.
        lastPut = records
        mapped = 0
      }
      for (; mapped < records.length; mapped++) {
        const record = records[mapped]!
        let change
        try {
          change = mapper.change(record)
        } catch (error) {
          await context.deadLetter(record, error as Error)
          continue
        }
        if (change === undefined) context.metrics.count('tombstones_ignored')
        else buffered.push(change)
      }
      if (buffered.length - inFlightCount >= config.batchSize) {
        await settle()
        await deliverDeadLetters()
        const writing = writeFirstBatch()
        writing.catch(() => undefined) // thrown by the next settle
        inFlight = writing
      }
    },
    async flush() {
      await settle()
      await deliverDeadLetters()
      while (buffered.length > 0) await writeFirstBatch()
    },
    async stop() {
      await inFlight?.catch(() => undefined)
      await discardConnection()
    },
  }
}
