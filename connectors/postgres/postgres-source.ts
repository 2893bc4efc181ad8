import type pg from 'pg'
import { defineSource } from '../api/define.js'
import type { Secret } from '../api/secret.js'
import type { SourceBatch, SourceContext, SourceRecord, SourceTask } from '../api/types.js'
import { connect } from './connection.js'
import { pgFailure } from './pg-errors.js'
import { rowToJson } from './row-json.js'
import { checkSourceConfig, postgresSourceConfig, type PostgresSourceConfig } from './source-config.js'
import { SourceQueryPlan, type ReadPosition } from './source-query.js'

/**
 * Reads new rows of a PostgreSQL table (or query) as JSON records, in order, with bounded
 * queries: `incrementing` follows a growing id (new rows only), `timestamp` a modification time
 * (new and updated rows), `timestamp+incrementing` both (exact even when many rows share a
 * timestamp). The position is stored as the source offset of `{ table }` (`{ id }`, `{ ts }` or
 * `{ ts, id }`), so a restarted source resumes after the last row it wrote.
 *
 * @example
 * await startConnector(log, {
 *   name: 'orders-in', connector: postgresSource, topic: 'orders',
 *   config: { database: 'shop', user: 'app', password: { env: 'PGPASSWORD' }, table: 'orders', mode: 'incrementing', incrementingColumn: 'id', keyColumn: 'id' },
 * })
 */
export const postgresSource = defineSource({
  name: 'postgres-source',
  description: 'reads new rows of a PostgreSQL table or query, by id and/or timestamp',
  config: postgresSourceConfig,
  serdes: { key: 'string', value: 'json' },
  start: startPostgresSource,
})

async function startPostgresSource(config: PostgresSourceConfig, context: SourceContext<string, Record<string, unknown>>): Promise<SourceTask<string, Record<string, unknown>>> {
  checkSourceConfig(config)
  const secrets: Secret[] = config.password === undefined ? [] : [config.password]
  const plan = new SourceQueryPlan(config)
  let position: ReadPosition | undefined = plan.fromOffset(context.offset(plan.partition))
  let client: pg.Client | undefined = await connect(config, context.name, secrets)
  let nextQueryAt = 0

  async function query(text: string, values: readonly (string | number)[]): Promise<pg.QueryResult> {
    try {
      client ??= await connect(config, context.name, secrets)
      return await client.query({ text, values: [...values] })
    } catch (error) {
      const failed = client
      client = undefined
      await failed?.end().catch(() => undefined)
      throw pgFailure(context.name, `reading ${JSON.stringify(plan.partition)} failed`, error, secrets)
    }
  }

  /** The next rows; in timestamp mode a batch never ends inside a group of rows sharing a timestamp. */
  async function nextRows(): Promise<pg.QueryResult> {
    const { text, values } = plan.after(position)
    const result = await query(text, values)
    if (config.mode !== 'timestamp' || result.rows.length < config.batchSize) return result
    const last = plan.positionOf(result.rows.at(-1)!).ts
    const kept = result.rows.filter((row) => plan.positionOf(row).ts !== last)
    if (kept.length > 0) return { ...result, rows: kept }
    return query(plan.atTimestamp(last ?? '').text, plan.atTimestamp(last ?? '').values)
  }

  function wait(ms: number): Promise<void> {
    if (ms <= 0 || context.signal.aborted) return Promise.resolve()
    return new Promise((resolve) => {
      const timer = context.clock.setTimeout(done, ms)
      function done(): void {
        context.clock.clearTimeout(timer)
        context.signal.removeEventListener('abort', done)
        resolve()
      }
      context.signal.addEventListener('abort', done, { once: true })
    })
  }

  return {
    async poll(): Promise<SourceBatch<string, Record<string, unknown>>> {
      const untilQuery = nextQueryAt - context.clock.now()
      if (untilQuery > 0) {
        await wait(Math.min(untilQuery, context.pollTimeoutMs))
        if (nextQueryAt > context.clock.now()) return { records: [] }
      }
      const result = await nextRows()
      if (result.rows.length === 0) {
        nextQueryAt = context.clock.now() + config.pollInterval
        await wait(Math.min(config.pollInterval, context.pollTimeoutMs))
        return { records: [] }
      }
      const records: SourceRecord<string, Record<string, unknown>>[] = result.rows.map((row: Record<string, unknown>) => {
        const value = rowToJson(row, result.fields)
        const key = config.keyColumn === undefined ? null : keyText(value[config.keyColumn])
        return { key, value }
      })
      position = plan.positionOf(result.rows.at(-1) as Record<string, unknown>)
      context.metrics.count('rows_read', records.length)
      return { records, offsets: [{ partition: plan.partition, offset: plan.toOffset(position) }] }
    },
    async stop() {
      await client?.end().catch(() => undefined)
      client = undefined
    },
  }
}

function keyText(value: unknown): string | null {
  if (value === null || value === undefined) return null
  return typeof value === 'object' ? JSON.stringify(value) : String(value)
}
