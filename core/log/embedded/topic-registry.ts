import fs from 'node:fs'
import path from 'node:path'
import type { ResolvedTopicConfig } from '../types.js'
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

  read(): Map<string, ResolvedTopicConfig> {
    let text: string
    try {
      text = fs.readFileSync(this.file, 'utf8')
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return new Map()
      throw error
    }
    const parsed = JSON.parse(text) as { topics?: Record<string, ResolvedTopicConfig> }
    return new Map(Object.entries(parsed.topics ?? {}))
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
