/**
 * Reads the soak's figures at the end of each window: the load's counters and latencies, the
 * process's memory, file descriptors and handles, the sizes of the log and state directories,
 * and the topics' offsets and sizes (the evidence that retention and compaction run).
 *
 * @example
 * const sampler = new Sampler({ log, load, logDir, stateDir, inputTopic: 'soak-in', changelogTopic: 'soak-soak-counts-changelog' })
 * await sampler.waitUntil(10_000, () => false)
 * const { line } = await sampler.sample()
 */
import fs from 'node:fs'
import path from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import type { Log } from '../../core/log/types.js'
import type { TopicFlow } from './soak-bound.js'
import type { SoakLoad } from './soak-load.js'
import { windowLine, type WindowLine } from './soak-stats.js'

const MB = 1e6
/** The embedded log's own topics, which `listTopics` leaves out but which take disk too. */
const INTERNAL_TOPICS = ['__consumer_offsets', '__transaction_state']

export interface SamplerOptions {
  readonly log: Log
  readonly load: SoakLoad
  readonly logDir: string
  readonly stateDir: string
  readonly inputTopic: string
  readonly changelogTopic: string
}

/** Samples once per window; remembers what the disk bound needs (each topic's bytes per record). */
export class Sampler {
  private readonly startMs = performance.now()
  private before = { produced: 0, consumed: 0 }
  private readonly bytesPerRecord = new Map<string, number>()

  constructor(private readonly options: SamplerOptions) {}

  /**
   * Resolves when `elapsedMs` have passed since the sampler was made, or earlier once `stop()` is true.
   *
   * @example
   * await sampler.waitUntil(20_000, () => interrupted)
   */
  async waitUntil(elapsedMs: number, stop: () => boolean): Promise<void> {
    while (performance.now() - this.startMs < elapsedMs && !stop()) await sleep(Math.min(100, Math.max(1, elapsedMs - (performance.now() - this.startMs))))
  }

  /**
   * The window's line, and its latencies for the verdict.
   *
   * @example
   * const { line, latencies } = await sampler.sample()
   */
  async sample(): Promise<{ line: WindowLine; latencies: Float64Array }> {
    const { log, load, logDir, stateDir, inputTopic, changelogTopic } = this.options
    const latencies = load.takeLatencies()
    const produced = load.produced
    const consumed = load.consumed
    const memory = process.memoryUsage()
    const input = await log.describeTopic(inputTopic)
    const changelog = await log.describeTopic(changelogTopic)
    await this.measureBytesPerRecord()
    const line = windowLine(
      {
        elapsedS: (performance.now() - this.startMs) / 1000,
        produced,
        consumed,
        latenciesMs: latencies,
        rssMb: memory.rss / MB,
        heapUsedMb: memory.heapUsed / MB,
        fds: fs.readdirSync('/proc/self/fd').length,
        activeHandles: process.getActiveResourcesInfo().length,
        logMb: directoryBytes(logDir) / MB,
        stateMb: directoryBytes(stateDir) / MB,
        lag: produced - consumed,
        producerPausedMs: load.pausedMs,
        inputStartOffset: input.partitions.reduce((sum, partition) => sum + partition.startOffset, 0),
        changelogEndOffset: changelog.partitions.reduce((sum, partition) => sum + partition.endOffset, 0),
        changelogMb: changelog.partitions.reduce((sum, partition) => sum + (partition.sizeBytes ?? 0), 0) / MB,
        changelogSegments: segmentFiles(logDir, changelogTopic),
      },
      this.before,
    )
    this.before = { produced, consumed }
    return { line, latencies }
  }

  /**
   * Every topic of the log (its internal ones too) as the disk bound sees it; `distinctKeys`
   * gives the key count of compacted topics whose keys are known.
   *
   * @example
   * const flows = await sampler.flows({ 'soak-soak-counts-changelog': 10_000 })
   */
  async flows(distinctKeys: Readonly<Record<string, number>>): Promise<TopicFlow[]> {
    await this.measureBytesPerRecord()
    const flows: TopicFlow[] = []
    for (const name of await this.topicNames()) {
      const topic = await this.options.log.describeTopic(name)
      const keys = distinctKeys[name]
      flows.push({
        name,
        config: topic.config,
        recordsAppended: topic.partitions.reduce((sum, partition) => sum + partition.endOffset, 0),
        bytesPerRecord: this.bytesPerRecord.get(name) ?? 0,
        ...(keys === undefined ? {} : { distinctKeys: keys }),
      })
    }
    return flows
  }

  /** Bytes per stored record of each topic, the largest seen (compaction only lowers it). */
  private async measureBytesPerRecord(): Promise<void> {
    for (const name of await this.topicNames()) {
      const topic = await this.options.log.describeTopic(name)
      let bytes = 0
      let records = 0
      for (const partition of topic.partitions) {
        bytes += partition.sizeBytes ?? 0
        records += partition.endOffset - partition.startOffset
      }
      if (records > 0) this.bytesPerRecord.set(name, Math.max(this.bytesPerRecord.get(name) ?? 0, bytes / records))
    }
  }

  private async topicNames(): Promise<string[]> {
    return [...(await this.options.log.listTopics()), ...INTERNAL_TOPICS]
  }
}

/**
 * Bytes of the regular files under `dir`, read synchronously so that no retention or compaction
 * step (they run on this thread) removes a file between listing and stat.
 *
 * @example
 * directoryBytes('/tmp/tributary-soak-x/log') / 1e6 // MB
 */
export function directoryBytes(dir: string): number {
  let total = 0
  for (const entry of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue
    total += fs.statSync(path.join(entry.parentPath, entry.name), { throwIfNoEntry: false })?.size ?? 0
  }
  return total
}

/** How many segment files the topic's partitions hold. */
function segmentFiles(logDir: string, topic: string): number {
  let count = 0
  for (const entry of fs.readdirSync(logDir, { withFileTypes: true })) {
    if (!entry.isDirectory() || !entry.name.startsWith(`${topic}-`)) continue
    count += fs.readdirSync(path.join(logDir, entry.name)).filter((file) => file.endsWith('.log')).length
  }
  return count
}
