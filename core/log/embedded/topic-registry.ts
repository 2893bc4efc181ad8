import fs from 'node:fs'
import path from 'node:path'
import type { ResolvedTopicConfig } from '../types.js'
import { validateTopicName } from '../topic-name.js'
import { writeFileAtomic } from './files.js'

const REGISTRY_FILE = 'topics.json'

/**
 * The topics of a data directory and their configs, kept in `<dir>/topics.json`, replaced
 * atomically on every change so a crash leaves the old or the new list, never a mix.
 */
export class TopicRegistry {
  private readonly file: string

  constructor(readonly dir: string) {
    this.file = path.join(dir, REGISTRY_FILE)
  }

  /**
   * The topics listed. A name that is not a legal topic name (the file was edited or damaged: a
   * `../x` would lead out of the data directory) is left out, and `ignored` hears why.
   */
  read(ignored: (name: string, reason: string) => void = () => undefined): Map<string, ResolvedTopicConfig> {
    let text: string
    try {
      text = fs.readFileSync(this.file, 'utf8')
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return new Map()
      throw error
    }
    const parsed = JSON.parse(text) as { topics?: Record<string, ResolvedTopicConfig> }
    const topics = new Map<string, ResolvedTopicConfig>()
    for (const [name, config] of Object.entries(parsed.topics ?? {})) {
      try {
        validateTopicName(name)
        topics.set(name, config)
      } catch (error) {
        ignored(name, (error as Error).message)
      }
    }
    return topics
  }

  write(topics: ReadonlyMap<string, ResolvedTopicConfig>): void {
    const sorted = Object.fromEntries([...topics].sort(([a], [b]) => (a < b ? -1 : 1)))
    writeFileAtomic(this.file, `${JSON.stringify({ version: 1, topics: sorted }, null, 2)}\n`)
  }
}

/** `<dir>/<topic>-<partition>`: the directory of one partition. */
export function partitionDirectory(dir: string, topic: string, partition: number): string {
  return path.join(dir, `${topic}-${partition}`)
}
