/**
 * kcat (librdkafka's command-line client) as an independent Kafka client for interop tests: it
 * shares no code with kafkajs or Tributary, so what it reads and writes checks our wire format,
 * partitioning and transactions from the outside. Debian's `kcat` package; `.ci/install` installs it.
 *
 * @example
 * await kcatProduce(cluster.bootstrap, 'orders', [{ key: 'k1', value: 'v1' }])
 * const records = await kcatConsume(cluster.bootstrap, 'orders') // [{ key: 'k1', value: 'v1', partition: 2 }]
 */
import { execFile, spawnSync } from 'node:child_process'

/** One record as kcat prints it with `-f '%k\t%s\t%p\n'`. */
export interface KcatRecord {
  readonly key: string
  readonly value: string
  readonly partition: number
}

const KCAT_TIMEOUT_MS = 30_000

/** Whether `kcat` runs on this machine. */
export function kcatAvailable(): boolean {
  return spawnSync('kcat', ['-V'], { stdio: 'ignore' }).status === 0
}

/**
 * Reads every record of `topic` from the beginning to the current end (`-e`), committed records
 * only (`read_committed`: open and aborted transactions are skipped, and the end is the last
 * stable offset).
 */
export async function kcatConsume(bootstrap: string, topic: string): Promise<KcatRecord[]> {
  const output = await runKcat(
    ['-b', bootstrap, '-C', '-t', topic, '-o', 'beginning', '-e', '-q', '-X', 'isolation.level=read_committed', '-f', '%k\t%s\t%p\n'],
    '',
  )
  return output
    .split('\n')
    .filter((line) => line.length > 0)
    .map((line) => {
      const [key = '', value = '', partition = ''] = line.split('\t')
      return { key, value, partition: Number(partition) }
    })
}

/**
 * Writes keyed records (`-K:`, so neither keys nor values may hold `:` or a newline), waiting for
 * every acknowledgement. `partitioner=murmur2_random` is Java's default partitioner: librdkafka's
 * own default (`consistent_random`, CRC32 of the key) would put keys on other partitions than
 * Java clients, kafkajs's default partitioner and Tributary do.
 */
export async function kcatProduce(bootstrap: string, topic: string, records: readonly { key: string; value: string }[]): Promise<void> {
  for (const { key, value } of records) {
    if (/[:\n]/.test(key) || value.includes('\n')) throw new Error(`kcat -K: cannot carry key ${JSON.stringify(key)} / value ${JSON.stringify(value)}`)
  }
  const input = records.map(({ key, value }) => `${key}:${value}\n`).join('')
  await runKcat(['-b', bootstrap, '-P', '-t', topic, '-K:', '-X', 'partitioner=murmur2_random', '-X', 'acks=all'], input)
}

function runKcat(args: string[], input: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile('kcat', args, { timeout: KCAT_TIMEOUT_MS, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`kcat ${args.join(' ')} failed: ${stderr.trim() || error.message}`, { cause: error }))
      else resolve(stdout)
    })
    child.stdin?.end(input)
  })
}
