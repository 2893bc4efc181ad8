/** Starting the file source's task directly, and reading what its polls return. */
import { parseConfig } from '../../../connectors/api/config-schema.js'
import type { SourceBatch, SourceTask } from '../../../connectors/api/types.js'
import { fileSource } from '../../../connectors/file/index.js'
import { OffsetMap, sourceContext, type TestSourceContext } from './task-context.js'

export interface RunningSource {
  readonly task: SourceTask<string, unknown>
  readonly context: TestSourceContext
  readonly offsets: OffsetMap
  /** Polls until `count` records came (or `maxPolls` polls), storing offsets; returns the values as text. */
  take(count: number, maxPolls?: number): Promise<string[]>
  /** One poll, its offsets stored. */
  pollOnce(): Promise<SourceBatch<string, unknown>>
}

export async function startSource(config: Record<string, unknown>, offsets = new OffsetMap(), pollTimeoutMs = 50): Promise<RunningSource> {
  const context = sourceContext({ offsets, pollTimeoutMs })
  const task = await fileSource.start(parseConfig(fileSource.config, config, 'config'), context)
  const pollOnce = async (): Promise<SourceBatch<string, unknown>> => {
    const batch = await task.poll()
    offsets.store(batch.offsets)
    return batch
  }
  return {
    task,
    context,
    offsets,
    pollOnce,
    async take(count, maxPolls = 100) {
      const values: string[] = []
      for (let poll = 0; poll < maxPolls && values.length < count; poll++) {
        const batch = await pollOnce()
        for (const record of batch.records) values.push(text(record.value))
      }
      return values
    },
  }
}

export function text(value: unknown): string {
  return Buffer.isBuffer(value) ? value.toString('utf8') : JSON.stringify(value)
}
