/**
 * A throwaway PostgreSQL server for a test file: `initdb` into a fresh temp dir, `postgres` on
 * 127.0.0.1 at a free port, waited for with a bounded connect loop, stopped (fast shutdown) and
 * its dir removed by `stop()`. Password auth on TCP (scram), so tests exercise the secret.
 * PostgreSQL refuses to run as root: as root, initdb and postgres run as the `postgres` OS user
 * (spawned with its uid/gid, so signals reach the server itself).
 *
 * Call inside `describe.skipIf(!postgresTestsWanted())`: in CI a server that cannot start fails.
 */
import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process'
import { existsSync, readdirSync } from 'node:fs'
import fs from 'node:fs/promises'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import pg from 'pg'

const run = promisify(execFile)

export interface PgServer {
  readonly host: string
  readonly port: number
  readonly user: string
  readonly password: string
  readonly database: string
  /** Stops the server and removes its dir. */
  stop(): Promise<void>
}

const START_TIMEOUT_MS = 30_000
const USER = 'tributary'
const PASSWORD = 'pg-test-secret-4f9c2e'

/**
 * Where the PostgreSQL binaries are: `pg_config --bindir`, else the newest /usr/lib/postgresql/N/bin. Undefined when none.
 *
 * @example
 * findPostgresBinDir() // '/usr/lib/postgresql/15/bin'
 */
export function findPostgresBinDir(): string | undefined {
  const candidates: string[] = []
  const debianRoot = '/usr/lib/postgresql'
  if (existsSync(debianRoot)) {
    const versions = readdirSync(debianRoot).filter((name) => /^\d+$/.test(name)).sort((a, b) => Number(b) - Number(a))
    candidates.push(...versions.map((version) => path.join(debianRoot, version, 'bin')))
  }
  try {
    // Debian's pg_config in /usr/bin may name a bindir without initdb (client-only); checked below.
    candidates.unshift(execFileSync('pg_config', ['--bindir'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim())
  } catch {
    // no pg_config: the Debian directories remain
  }
  return candidates.find((dir) => existsSync(path.join(dir, 'initdb')) && existsSync(path.join(dir, 'postgres')))
}

/**
 * Whether the PostgreSQL tests should run: `TRIBUTARY_POSTGRES=1` asks for them, `=0` turns them
 * off; otherwise they run in CI (`CI=true`, where a server that cannot start fails) and locally
 * when the binaries are installed.
 *
 * @example
 * describe.skipIf(!postgresTestsWanted())('postgres-sink', () => { … })
 */
export function postgresTestsWanted(env: NodeJS.ProcessEnv = process.env): boolean {
  if (env['TRIBUTARY_POSTGRES'] !== undefined) return env['TRIBUTARY_POSTGRES'] === '1'
  if (env['CI'] === 'true' || env['CI'] === '1') return true
  const wanted = findPostgresBinDir() !== undefined
  if (!wanted) console.warn('PostgreSQL tests skipped: no initdb/postgres found (install Debian\'s postgresql, or set TRIBUTARY_POSTGRES=1 to make this an error)')
  return wanted
}

interface ServerUser {
  readonly uid: number
  readonly gid: number
}

/** As root, the `postgres` OS user's ids (PostgreSQL refuses root); otherwise undefined (run as ourselves). */
function serverUser(): ServerUser | undefined {
  if (process.getuid?.() !== 0) return undefined
  const id = (flag: string): number => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim())
  return { uid: id('-u'), gid: id('-g') }
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      const port = typeof address === 'object' && address !== null ? address.port : 0
      server.close(() => resolve(port))
    })
  })
}

async function makeServerDir(user: ServerUser | undefined): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'tributary-pg-'))
  if (user !== undefined) await fs.chown(dir, user.uid, user.gid)
  return dir
}

/**
 * Starts a server and resolves once it accepts connections.
 *
 * @example
 * const server = await startPostgres() // or startPostgres({ sharedBuffers: '256MB' }) for a benchmark
 * const client = new pg.Client({ host: server.host, port: server.port, user: server.user, password: server.password, database: server.database })
 * await server.stop()
 */
export async function startPostgres(options: { readonly sharedBuffers?: string } = {}): Promise<PgServer> {
  const binDir = findPostgresBinDir()
  if (binDir === undefined) throw new Error('PostgreSQL is not installed: no initdb/postgres under pg_config --bindir or /usr/lib/postgresql/*/bin')
  const user = serverUser()
  const dir = await makeServerDir(user)
  const dataDir = path.join(dir, 'data')
  let child: ChildProcess | undefined
  let output = ''
  try {
    const passwordFile = path.join(dir, 'password')
    await fs.writeFile(passwordFile, `${PASSWORD}\n`, { mode: 0o644 })
    await run(path.join(binDir, 'initdb'), ['-D', dataDir, '-U', USER, `--pwfile=${passwordFile}`, '--auth-local=trust', '--auth-host=scram-sha-256', '-E', 'UTF8', '--locale=C', '--no-sync'], { ...user })
    const port = await freePort()
    const settings = { listen_addresses: '127.0.0.1', port: String(port), unix_socket_directories: dir, shared_buffers: options.sharedBuffers ?? '32MB', max_connections: '30', logging_collector: 'off' }
    const args = ['-D', dataDir, ...Object.entries(settings).flatMap(([name, value]) => ['-c', `${name}=${value}`])]
    const started = spawn(path.join(binDir, 'postgres'), args, { stdio: ['ignore', 'pipe', 'pipe'], ...user })
    child = started
    started.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()))
    started.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()))
    const exited = new Promise<void>((resolve) => started.once('exit', () => resolve()))
    await waitUntilAccepting(port, exited, () => output)
    return {
      host: '127.0.0.1',
      port,
      user: USER,
      password: PASSWORD,
      database: 'postgres',
      async stop() {
        started.kill('SIGINT') // fast shutdown
        await exited
        await fs.rm(dir, { recursive: true, force: true })
      },
    }
  } catch (error) {
    if (child !== undefined && child.exitCode === null) {
      child.kill('SIGKILL')
      await new Promise((resolve) => child?.once('exit', resolve))
    }
    await fs.rm(dir, { recursive: true, force: true })
    throw new Error(`PostgreSQL did not start: ${(error as Error).message}\n${output}`, { cause: error })
  }
}

async function waitUntilAccepting(port: number, exited: Promise<void>, output: () => string): Promise<void> {
  let hasExited = false
  void exited.then(() => (hasExited = true))
  const deadline = Date.now() + START_TIMEOUT_MS
  for (;;) {
    if (hasExited) throw new Error(`postgres exited during start-up:\n${output()}`)
    const client = new pg.Client({ host: '127.0.0.1', port, user: USER, password: PASSWORD, database: 'postgres', connectionTimeoutMillis: 1000 })
    client.on('error', () => {})
    try {
      await client.connect()
      await client.end()
      return
    } catch (error) {
      await client.end().catch(() => {})
      if (Date.now() > deadline) throw new Error(`postgres did not accept connections on port ${port} within ${START_TIMEOUT_MS} ms: ${(error as Error).message}`)
      await new Promise((resolve) => setTimeout(resolve, 50)) // a poll interval, bounded by the deadline
    }
  }
}
