/**
 * Benchmarks one RocksDB binding in this process and prints one JSON line per operation:
 * put-single (own DB), then put-batch, get-single, get-batch and scan on a DB filled by put-batch.
 * Started by `test/bench/rocksdb-bindings.ts`, one process per binding, with `--expose-gc`.
 *
 * @example
 * // BENCH_SCALE=0.05 node --expose-gc --import tsx test/bench/rocksdb-bindings/worker.ts rocksdb-native test/bench/.bindings
 */
import { randomBytes } from 'node:crypto'
import { readFileSync, writeFileSync } from 'node:fs'
import { elapsedMs, latencyFigures, mbPerSecond, peakRssMb, resultLine, withTempDir, type Figures } from '../report.js'
import { bindingPackages, isBindingId, loadBinding, type BenchDb, type BindingId, type LoadedBinding } from './adapters.js'

const keyBytes = 16
const valueBytes = 32
const batchSize = 1_000
/** Record counts at BENCH_SCALE=1. */
const countsAtScaleOne = {
  putBatch: 1_000_000,
  putSingle: 100_000,
  getSingle: 200_000,
  getBatch: 1_000_000,
} as const

const [idArgument, bindingsDir] = process.argv.slice(2)
if (idArgument === undefined || !isBindingId(idArgument) || bindingsDir === undefined) {
  process.stderr.write('usage: worker.ts <rocksdb-native|rocksdb|nxtedition-rocksdb> <bindings-dir>\n')
  process.exit(2)
}
const id: BindingId = idArgument
const scale = Number(process.env['BENCH_SCALE'] ?? '1')
if (!Number.isFinite(scale) || scale <= 0) {
  process.stderr.write(`BENCH_SCALE must be a positive number, got "${process.env['BENCH_SCALE']}"\n`)
  process.exit(2)
}
const count = (atScaleOne: number): number => Math.max(1, Math.round(atScaleOne * scale))

const workloadPrefix = `rocksdb-binding/${id}`
let binding: LoadedBinding
try {
  binding = loadBinding(id, bindingsDir)
} catch (error) {
  const line = { workload: `${workloadPrefix}/load`, status: 'unavailable', package: bindingPackages[id].name, error: errorText(error) }
  process.stdout.write(`${JSON.stringify(line)}\n`)
  process.exit(1)
}

const gc = (globalThis as { gc?: () => void }).gc
/** Peak RSS is reset before each operation (Linux `clear_refs`); this keeps the whole process's peak. */
let processPeakRssMb = peakRssMb()
const loadedRssMb = process.memoryUsage().rss / 1e6
const peakScope = resetPeakRss() ? 'operation' : 'process'

/** Values are 32-byte windows of one random pool, none repeated within an SST block. */
const valuePool = randomBytes(1 << 20)
const valueAt = (index: number): Buffer => {
  const offset = (index * valueBytes) % valuePool.length
  return valuePool.subarray(offset, offset + valueBytes)
}
/** Keys sort in insertion order: an 8-byte prefix, then the index as a big-endian u64. */
const keyPrefix = Buffer.from('benchkey')
const keyAt = (index: number): Buffer => {
  const key = Buffer.allocUnsafe(keyBytes)
  keyPrefix.copy(key, 0)
  key.writeUInt32BE(Math.floor(index / 2 ** 32), 8)
  key.writeUInt32BE(index >>> 0, 12)
  return key
}

await measure('put-single', () =>
  withTempDir(async (dir) => {
    const db = await binding.open(dir)
    try {
      const records = count(countsAtScaleOne.putSingle)
      const latencies = new Float64Array(records)
      const startNs = process.hrtime.bigint()
      for (let i = 0; i < records; i++) {
        const opStartNs = process.hrtime.bigint()
        await db.put(keyAt(i), valueAt(i))
        latencies[i] = elapsedMs(opStartNs)
      }
      const seconds = elapsedMs(startNs) / 1000
      return { ...throughput(records, seconds), ...latencyFigures(latencies) }
    } finally {
      await db.close()
    }
  }),
)

await withTempDir(async (dir) => {
  const db = await binding.open(dir)
  try {
    const records = count(countsAtScaleOne.putBatch)
    const loaded = await measure('put-batch', async () => {
      const startNs = process.hrtime.bigint()
      for (let first = 0; first < records; first += batchSize) {
        const size = Math.min(batchSize, records - first)
        const keys = new Array<Buffer>(size)
        const values = new Array<Buffer>(size)
        for (let i = 0; i < size; i++) {
          keys[i] = keyAt(first + i)
          values[i] = valueAt(first + i)
        }
        await db.putBatch(keys, values)
      }
      return { ...throughput(records, elapsedMs(startNs) / 1000), batch_size: batchSize }
    })
    if (!loaded) return // the reads need the data
    await measure('get-single', () => getSingle(db, records))
    await measure('get-batch', () => getBatch(db, records))
    await measure('scan', () => scan(db, records))
  } finally {
    await db.close()
  }
})

async function getSingle(db: BenchDb, keyCount: number): Promise<Figures> {
  const records = count(countsAtScaleOne.getSingle)
  const random = xorshift32(0x9e3779b9)
  const latencies = new Float64Array(records)
  const startNs = process.hrtime.bigint()
  for (let i = 0; i < records; i++) {
    const opStartNs = process.hrtime.bigint()
    checkValue(await db.get(keyAt(random() % keyCount)))
    latencies[i] = elapsedMs(opStartNs)
  }
  const seconds = elapsedMs(startNs) / 1000
  return { ...throughput(records, seconds), ...latencyFigures(latencies) }
}

async function getBatch(db: BenchDb, keyCount: number): Promise<Figures> {
  const records = count(countsAtScaleOne.getBatch)
  const random = xorshift32(0x85ebca6b)
  const startNs = process.hrtime.bigint()
  for (let done = 0; done < records; done += batchSize) {
    const size = Math.min(batchSize, records - done)
    const keys = new Array<Buffer>(size)
    for (let i = 0; i < size; i++) keys[i] = keyAt(random() % keyCount)
    const values = await db.getBatch(keys)
    if (values.length !== size) throw new Error(`asked for ${size} values, got ${values.length}`)
    for (const value of values) checkValue(value)
  }
  return { ...throughput(records, elapsedMs(startNs) / 1000), batch_size: batchSize }
}

async function scan(db: BenchDb, keyCount: number): Promise<Figures> {
  let records = 0
  let bytes = 0
  let lastKey: Buffer | undefined
  const startNs = process.hrtime.bigint()
  await db.scan((key, value) => {
    records++
    bytes += key.length + value.length
    lastKey = key
  })
  const seconds = elapsedMs(startNs) / 1000
  if (records !== keyCount) throw new Error(`scan saw ${records} entries, expected ${keyCount}`)
  if (lastKey === undefined || !lastKey.equals(keyAt(keyCount - 1))) throw new Error('scan did not end at the last key')
  return { records, seconds, records_per_s: records / seconds, mb_per_s: mbPerSecond(bytes, seconds) }
}

/** Runs one operation and prints its line (or an error line); false when it failed. */
async function measure(operation: string, body: () => Promise<Figures>): Promise<boolean> {
  const workload = `${workloadPrefix}/${operation}`
  gc?.()
  resetPeakRss()
  try {
    const figures = await body()
    processPeakRssMb = Math.max(processPeakRssMb, peakRssMb())
    const line = resultLine(workload, {
      package: binding.packageName,
      version: binding.version,
      ...figures,
      loaded_rss_mb: loadedRssMb,
      process_peak_rss_mb: processPeakRssMb,
      peak_rss_scope: peakScope,
    })
    process.stdout.write(`${line}\n`)
    return true
  } catch (error) {
    process.stdout.write(`${JSON.stringify({ workload, status: 'failed', error: errorText(error) })}\n`)
    process.exitCode = 1
    return false
  }
}

function throughput(records: number, seconds: number): Figures {
  return {
    records,
    seconds,
    records_per_s: records / seconds,
    mb_per_s: mbPerSecond(records * (keyBytes + valueBytes), seconds),
  }
}

function checkValue(value: Buffer | null | undefined): void {
  if (value === null || value === undefined || value.length !== valueBytes) {
    throw new Error(`expected a ${valueBytes}-byte value, got ${value === null || value === undefined ? String(value) : `${value.length} bytes`}`)
  }
}

/** A small seeded PRNG, so every binding reads the same key sequence. */
function xorshift32(seed: number): () => number {
  let state = seed >>> 0 || 1
  return () => {
    state ^= state << 13
    state >>>= 0
    state ^= state >>> 17
    state ^= state << 5
    state >>>= 0
    return state
  }
}

/**
 * Resets this process's peak RSS to its current RSS (Linux ≥ 4.0, `echo 5 > /proc/self/clear_refs`),
 * so `peak_rss_mb` covers one operation. False where that is not possible.
 */
function resetPeakRss(): boolean {
  try {
    processPeakRssMb = Math.max(processPeakRssMb, peakRssMb())
    writeFileSync('/proc/self/clear_refs', '5')
    return /VmHWM/.test(readFileSync('/proc/self/status', 'utf8'))
  } catch {
    return false
  }
}

function errorText(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error)
}
