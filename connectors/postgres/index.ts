/**
 * The PostgreSQL connectors: `postgres-sink` upserts (or inserts) JSON records into a table,
 * `postgres-source` reads a table's new rows by id and/or timestamp. See README.md beside this file.
 *
 * @example
 * import { postgresSink, postgresSource } from 'tributary/connectors/postgres'
 */
export { postgresSink } from './postgres-sink.js'
export { postgresSource } from './postgres-source.js'
export type { PostgresSinkConfig } from './sink-config.js'
export type { PostgresSourceConfig } from './source-config.js'
