/**
 * The PostgreSQL sink survives kill -9: `tributary connect` runs it in a child process over a
 * topic pre-filled with 20,000 keyed records (2,000 keys, 5% tombstones, seeded), and is killed
 * with SIGKILL ten times (times TRIBUTARY_CHAOS_SCALE) at seeded-random points of its progress, restarted each time. Run to
 * completion, the table holds exactly the last value of every key (and no row of a key whose
 * last record is a tombstone): replays after a kill only rewrite what was written already.
 * The figures go to the chaos report as `kill-9/postgres-sink`.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import pg from 'pg'
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest'
import { openEmbeddedLog } from '../../../core/log/embedded/index.js'
import { checkState } from '../../chaos/checker.js'
import { chaosScale, reportSuite } from '../../chaos/report.js'
import { seededRandom, seedFromEnv } from '../../crash/seeded-random.js'
import { waitUntil } from '../../runtime/helpers.js'
import { startPostgres, postgresTestsWanted, type PgServer } from './pg-server.js'

const REPO_ROOT = resolve(fileURLToPath(import.meta.url), '../../../..')
const RECORDS = 20_000
const KEYS = 2_000
/** Ten at the CI size; TRIBUTARY_CHAOS_SCALE multiplies them. */
const KILLS = Math.max(1, Math.round(10 * chaosScale()))
const PASSWORD_ENV = 'TRIBUTARY_CRASH_PG_PASSWORD'

interface Account {
  readonly seq: number
  readonly balance: number
  readonly note: string
}

describe.skipIf(!postgresTestsWanted())('postgres-sink under kill -9', () => {
  let server: PgServer
  let client: pg.Client
  let dir: string
  let child: ChildProcess | undefined

  beforeAll(async () => {
    server = await startPostgres()
    client = new pg.Client({ host: server.host, port: server.port, user: server.user, password: server.password, database: server.database })
    await client.connect()
    dir = await mkdtemp(join(tmpdir(), 'tributary-pg-crash-'))
  })
  afterEach(async () => {
    if (child !== undefined && child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL')
      await new Promise((done) => child?.once('exit', done))
    }
  })
  afterAll(async () => {
    await client?.end()
    await server?.stop()
    await rm(dir, { recursive: true, force: true })
  })

  function startChild(config: string): { process: ChildProcess; exited: Promise<number | null>; stderr: () => string } {
    const started = spawn(process.execPath, ['core/cli/tributary.js', 'connect', config], { cwd: REPO_ROOT, stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, [PASSWORD_ENV]: server.password } })
    let stderr = ''
    started.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
    const exited = new Promise<number | null>((done) => started.once('exit', (code) => done(code)))
    child = started
    return { process: started, exited, stderr: () => stderr }
  }

  async function maxSeq(): Promise<number> {
    const { rows } = await client.query<{ max: number | null }>('SELECT max(seq) AS max FROM accounts')
    return rows[0]?.max ?? -1
  }

  test(`the table holds the last value per key after ${KILLS} kills`, { timeout: 120_000 }, async () => {
    const random = seededRandom(seedFromEnv('TRIBUTARY_CRASH_SEED', 8))
    const expected = new Map<number, Account | null>()
    const log = await openEmbeddedLog({ dir: join(dir, 'log') })
    await log.createTopic('accounts', { partitions: 1 })
    const producer = log.producer()
    for (let first = 0; first < RECORDS; first += 1000) {
      const batch = []
      for (let seq = first; seq < first + 1000; seq++) {
        const id = random.int(0, KEYS - 1)
        const value = random.chance(0.05) ? null : { seq, balance: random.int(-1000, 1000), note: `n${seq}\t"${random.int(0, 99)}"` }
        expected.set(id, value)
        batch.push({ topic: 'accounts', key: Buffer.from(String(id)), value: value === null ? null : Buffer.from(JSON.stringify(value)) })
      }
      await producer.send(batch)
    }
    await producer.close()
    await log.close()

    await client.query('CREATE TABLE accounts (id integer PRIMARY KEY, seq integer NOT NULL, balance integer, note text)')
    const config = join(dir, 'connect.json')
    await writeFile(config, JSON.stringify({
      log: { data: join(dir, 'log') },
      connectors: [{
        name: 'accounts-db', connector: 'postgres-sink', topics: ['accounts'], batchSize: 100, commitInterval: '150ms',
        config: { host: server.host, port: server.port, database: server.database, user: server.user, password: { env: PASSWORD_ENV }, table: 'accounts', batchSize: 250 },
      }],
    }))

    const lastSeq = Math.max(...[...expected.values()].map((value) => value?.seq ?? -1))
    let killedWithWorkLeft = 0
    const killPoints = Array.from({ length: KILLS }, () => random.int(200, RECORDS - 1500)).sort((a, b) => a - b)
    for (const [kill, point] of killPoints.entries()) {
      const run = startChild(config)
      await waitUntil(async () => (await maxSeq()) >= point || run.process.exitCode !== null, `kill ${kill}: the table past seq ${point}`, 60_000)
      expect(run.process.exitCode, run.stderr()).toBeNull()
      await new Promise((done) => setTimeout(done, random.int(0, 40))) // a seeded-random moment past the point, not a synchronisation
      run.process.kill('SIGKILL')
      await run.exited
      if ((await maxSeq()) < lastSeq) killedWithWorkLeft++
    }
    expect(killedWithWorkLeft).toBeGreaterThanOrEqual(KILLS / 2)

    const last = startChild(config)
    const wanted = [...expected].filter(([, value]) => value !== null).map(([id, value]) => ({ id, seq: value!.seq, balance: value!.balance, note: value!.note })).sort((a, b) => a.id - b.id)
    const table = async (): Promise<typeof wanted> => (await client.query<(typeof wanted)[number]>('SELECT id, seq, balance, note FROM accounts ORDER BY id')).rows
    const wantedSeqSum = wanted.reduce((sum, row) => sum + row.seq, 0)
    await waitUntil(async () => {
      const { rows } = await client.query<{ count: string; sum: string | null }>('SELECT count(*) AS count, sum(seq) AS sum FROM accounts')
      return (Number(rows[0]?.count) === wanted.length && Number(rows[0]?.sum) === wantedSeqSum) || last.process.exitCode !== null
    }, 'the table to hold every last value', 60_000)
    last.process.kill('SIGTERM')
    expect(await last.exited, last.stderr()).toBe(0)
    const rowText = (row: (typeof wanted)[number]): [string, string] => [String(row.id), JSON.stringify([row.seq, row.balance, row.note])]
    const checked = checkState('the accounts table', new Map(wanted.map(rowText)), new Map((await table()).map(rowText)))
    reportSuite({ suite: 'kill-9/postgres-sink', runs: KILLS + 1, faults_injected: KILLS, ...checked })
    expect(checked.problems).toEqual([])
  })
})
