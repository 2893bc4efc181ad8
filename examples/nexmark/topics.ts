import { DEFAULT_NEXMARK_TOPICS, type NexmarkTopics } from '../../connectors/nexmark/index.js'

/** Where a Nexmark query reads and writes: the three input topics and its output topic. */
export interface QueryTopics {
  readonly inputs: NexmarkTopics
  readonly output: string
}

/** The default topics of query `name`: `nexmark-persons`, … in, `nexmark-<name>` out. */
export function queryTopics(name: string): QueryTopics {
  return { inputs: DEFAULT_NEXMARK_TOPICS, output: `nexmark-${name}` }
}
