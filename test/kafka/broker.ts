/**
 * A real Apache Kafka cluster for tests: KRaft nodes (each a combined broker and controller) on
 * loopback ports. `kafka.sh` beside this file does the work: it fetches the broker jars once with
 * Maven (see `broker/pom.xml`), formats the storage, starts the JVMs and waits until every broker
 * serves; this module is its typed front.
 *
 * The cluster stops itself if this process dies without calling `stop()`, so a crashed test run
 * leaves no broker behind.
 *
 * @example
 * const cluster = await startKafka({ brokers: 3 })
 * try {
 *   const kafka = new Kafka({ brokers: [...cluster.brokers] })
 *   // ...
 * } finally {
 *   await cluster.stop()
 * }
 */
import { execFile } from 'node:child_process'
import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const kafkaScript = fileURLToPath(new URL('./kafka.sh', import.meta.url))

export interface StartKafkaOptions {
  /** How many nodes; three form a three-voter controller quorum. Default 1. */
  readonly brokers?: 1 | 3
  /**
   * Where configs, data and logs go (it must not hold a cluster yet). Default: a new temporary
   * folder, which `stop()` removes; a folder given here is left in place.
   */
  readonly dir?: string
}

export interface KafkaCluster {
  /** `host:port` of every broker, comma-separated, as clients take it. */
  readonly bootstrap: string
  /** `host:port` of broker `index`, at index `index` (its `node.id`). */
  readonly brokers: readonly string[]
  /** The cluster's folder: `node-<index>/server.log` is each node's log. */
  readonly dir: string
  /** Kills broker `index` with SIGKILL, as a crash would; its data stays for `restartBroker`. */
  killBroker(index: number): Promise<void>
  /** Stops broker `index` with a controlled shutdown. */
  stopBroker(index: number): Promise<void>
  /** Starts a killed or stopped broker again on its data and port; resolves once it serves. */
  restartBroker(index: number): Promise<void>
  /** Stops every broker and removes the folder if `startKafka` made it. Later calls do nothing. */
  stop(): Promise<void>
}

/** `kafka.sh` failed: `output` is what it printed, with the tail of the failing node's log. */
export class KafkaClusterError extends Error {
  override readonly name = 'KafkaClusterError'

  constructor(
    readonly action: string,
    readonly dir: string,
    readonly output: string,
    options?: ErrorOptions,
  ) {
    super(`kafka.sh ${action} failed for ${dir}:\n${output.trim()}`, options)
  }
}

/**
 * Whether the Kafka tests should run: `TRIBUTARY_KAFKA=1` asks for them and `TRIBUTARY_KAFKA=0`
 * turns them off; otherwise they run in CI (`CI=true`), where a broker that cannot start fails.
 */
export function kafkaTestsWanted(env: NodeJS.ProcessEnv = process.env): boolean {
  if (env['TRIBUTARY_KAFKA'] !== undefined) return env['TRIBUTARY_KAFKA'] === '1'
  return env['CI'] === 'true' || env['CI'] === '1'
}

/** Starts a cluster and resolves once every broker serves clients. */
export async function startKafka(options: StartKafkaOptions = {}): Promise<KafkaCluster> {
  const brokerCount = options.brokers ?? 1
  const ownsDir = options.dir === undefined
  const dir = options.dir ?? (await fs.mkdtemp(path.join(os.tmpdir(), 'tributary-kafka-')))
  let output: string
  try {
    output = await runKafkaScript(dir, 'start', '--brokers', String(brokerCount), '--dir', dir, '--owner', String(process.pid))
  } catch (error) {
    if (ownsDir) await fs.rm(dir, { recursive: true, force: true })
    throw error
  }
  const bootstrap = output.trim().split('\n').at(-1) ?? ''
  const brokers = bootstrap.split(',')
  if (brokers.length !== brokerCount) {
    throw new KafkaClusterError('start', dir, `expected ${brokerCount} brokers, got bootstrap "${bootstrap}"`)
  }

  function node(index: number): string {
    if (!Number.isInteger(index) || index < 0 || index >= brokerCount) {
      throw new RangeError(`broker index ${index} is outside 0..${brokerCount - 1}`)
    }
    return String(index)
  }

  let stopped: Promise<void> | undefined
  return {
    bootstrap,
    brokers,
    dir,
    async killBroker(index) {
      await runKafkaScript(dir, 'stop', '--dir', dir, '--node', node(index), '--kill')
    },
    async stopBroker(index) {
      await runKafkaScript(dir, 'stop', '--dir', dir, '--node', node(index))
    },
    async restartBroker(index) {
      await runKafkaScript(dir, 'restart', '--dir', dir, '--node', node(index))
    },
    stop() {
      stopped ??= (async () => {
        await runKafkaScript(dir, 'stop', '--dir', dir)
        if (ownsDir) await fs.rm(dir, { recursive: true, force: true })
      })()
      return stopped
    },
  }
}

/** Runs `kafka.sh ACTION ARGS...`; resolves with its stdout. */
function runKafkaScript(dir: string, action: string, ...args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('bash', [kafkaScript, action, ...args], { maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error) reject(new KafkaClusterError(action, dir, `${stderr}${stdout}`, { cause: error }))
      else resolve(stdout)
    })
  })
}
