import pg from 'pg'
import { field, type ConfigOf } from '../api/config-schema.js'
import type { Secret } from '../api/secret.js'
import { pgFailure } from './pg-errors.js'

/** The connection settings both PostgreSQL connectors take. */
export const connectionConfig = {
  host: field.string({ default: '127.0.0.1', doc: 'the server\'s host name or address' }),
  port: field.integer({ min: 1, max: 65535, default: 5432 }),
  database: field.string({ doc: 'the database to connect to' }),
  user: field.string({ doc: 'the role to connect as' }),
  password: field.secret({ optional: true, doc: 'the role\'s password; without it, the server must trust the connection' }),
  connectTimeout: field.duration({ default: '10s', doc: 'how long a connection attempt may take' }),
}

export type ConnectionConfig = ConfigOf<typeof connectionConfig>

/** Types returned as PostgreSQL's text, so no precision is lost: int8, numeric, date, timestamp, timestamptz, time, timetz, interval. */
const EXACT_TEXT_TYPES = [20, 1700, 1082, 1114, 1184, 1083, 1266, 1186]

const exactTypes = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (EXACT_TEXT_TYPES.includes(oid)) return (text: string) => text
    return format === undefined ? pg.types.getTypeParser(oid) : pg.types.getTypeParser(oid, format)
  },
} as pg.CustomTypesConfig

/**
 * Opens a client: UTC time zone and ISO dates for the session, int8/numeric/timestamps as exact
 * text. A failure is a ConnectorError (retriable when the server may come back) whose message
 * never holds the password.
 *
 * @example
 * const client = await connect(config, 'orders-db', secrets)
 * await client.query('SELECT 1')
 */
export async function connect(config: ConnectionConfig, connector: string, secrets: readonly Secret[]): Promise<pg.Client> {
  const client = new pg.Client({
    host: config.host,
    port: config.port,
    database: config.database,
    user: config.user,
    ...(config.password === undefined ? {} : { password: config.password.reveal() }),
    connectionTimeoutMillis: config.connectTimeout,
    application_name: `tributary:${connector}`.slice(0, 63),
    types: exactTypes,
  })
  // A connection lost between queries surfaces at the next query; this keeps it from crashing the process.
  client.on('error', () => undefined)
  try {
    await client.connect()
    await client.query("SET TIME ZONE 'UTC'; SET DateStyle = 'ISO, YMD'; SET IntervalStyle = 'iso_8601'")
  } catch (error) {
    await client.end().catch(() => undefined)
    throw pgFailure(connector, `cannot connect to ${config.user}@${config.host}:${config.port}/${config.database}`, error, secrets)
  }
  return client
}
