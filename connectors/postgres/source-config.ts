import { ConfigError } from '../../core/errors.js'
import { field, type ConfigOf } from '../api/config-schema.js'
import { connectionConfig } from './connection.js'

export const postgresSourceConfig = {
  ...connectionConfig,
  table: field.string({ optional: true, doc: 'the table read, as table or schema.table (or give query)' }),
  query: field.string({ optional: true, doc: 'a SELECT whose rows are read instead of a table\'s; the columns below must be among its output' }),
  mode: field.oneOf(['incrementing', 'timestamp', 'timestamp+incrementing'] as const, { default: 'incrementing', doc: 'how new rows are found: a growing id, a modification time, or both' }),
  incrementingColumn: field.string({ optional: true, doc: 'a strictly increasing integer column (a serial id); incrementing modes' }),
  timestampColumn: field.string({ optional: true, doc: 'a timestamp column set when a row is written; timestamp modes' }),
  keyColumn: field.string({ optional: true, doc: 'the column whose value (as a string) keys each record; default: no key' }),
  batchSize: field.integer({ min: 1, max: 100_000, default: 1000, doc: 'rows read per query' }),
  pollInterval: field.duration({ default: '1s', doc: 'how long to wait before asking again when there were no new rows' }),
}

export type PostgresSourceConfig = ConfigOf<typeof postgresSourceConfig>

/**
 * The source's query settings checked together: a ConfigError names the field at fault.
 *
 * @example
 * checkSourceConfig({ ...config, mode: 'timestamp' }) // ConfigError: config.timestampColumn: is required in mode timestamp
 */
export function checkSourceConfig(config: PostgresSourceConfig): void {
  if ((config.table === undefined) === (config.query === undefined)) throw new ConfigError(config.table === undefined ? 'config.table' : 'config.query', 'give exactly one of table and query')
  if (config.mode !== 'timestamp' && config.incrementingColumn === undefined) throw new ConfigError('config.incrementingColumn', `is required in mode ${config.mode}`)
  if (config.mode !== 'incrementing' && config.timestampColumn === undefined) throw new ConfigError('config.timestampColumn', `is required in mode ${config.mode}`)
}
