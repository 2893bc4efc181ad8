/**
 * What the PostgreSQL connector tests share: one throwaway server per test file, a client to it,
 * a fresh embedded log per test, and connectors started through the runner and stopped after.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest'
import { openEmbeddedLog } from '../../../core/log/embedded/index.js'
import type { Log } from '../../../core/log/types.js'
import { startConnector, type RunningConnector } from '../../../connectors/runner/index.js'
import type { LogSink } from '../../../connectors/runner/context.js'
import { startPostgres, type PgServer } from './pg-server.js'

/** The environment variable the tests' configs take the password from. */
export const PASSWORD_ENV = 'TRIBUTARY_TEST_PG_PASSWORD'

export interface PgTestBed {
  server(): PgServer
  client(): pg.Client
  log(): Log
  /** Log lines of the connectors started in this test. */
  readonly lines: string[]
  /** The connection settings of a connector config, the password from PASSWORD_ENV. */
  connection(): { host: string; port: number; database: string; user: string; password: { env: string } }
  start(spec: Parameters<typeof startConnector>[1]): Promise<RunningConnector>
  stop(connector: RunningConnector): Promise<void>
  rows(sql: string): Promise<Record<string, unknown>[]>
}

/** Registers the hooks; call at the top of a `describe.skipIf(!postgresTestsWanted())`. */
export function usePostgresTestBed(): PgTestBed {
  let server: PgServer | undefined
  let client: pg.Client | undefined
  let log: Log | undefined
  let dir = ''
  const running: RunningConnector[] = []
  const lines: string[] = []
  const logSink: LogSink = (level, message, fields) => lines.push(`${level} ${message} ${JSON.stringify(fields)}`)

  beforeAll(async () => {
    server = await startPostgres()
    process.env[PASSWORD_ENV] = server.password
    client = new pg.Client({ host: server.host, port: server.port, user: server.user, password: server.password, database: server.database })
    await client.connect()
  })
  afterAll(async () => {
    await client?.end()
    await server?.stop()
    delete process.env[PASSWORD_ENV]
  })
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tributary-pg-log-'))
    log = await openEmbeddedLog({ dir })
    lines.length = 0
  })
  afterEach(async () => {
    for (const connector of running.splice(0)) await connector.stop().catch(() => undefined)
    await log?.close()
    await rm(dir, { recursive: true, force: true })
  })

  return {
    server: () => server!,
    client: () => client!,
    log: () => log!,
    lines,
    connection: () => ({ host: server!.host, port: server!.port, database: server!.database, user: server!.user, password: { env: PASSWORD_ENV } }),
    async start(spec) {
      const connector = await startConnector(log!, spec, { logSink })
      running.push(connector)
      return connector
    },
    async stop(connector) {
      running.splice(running.indexOf(connector), 1)
      await connector.stop()
    },
    async rows(sql) {
      return (await client!.query(sql)).rows as Record<string, unknown>[]
    },
  }
}
