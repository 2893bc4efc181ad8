import { TopicExistsError } from '../../core/log/errors.js'
import type { Log } from '../../core/log/types.js'
import { ConnectorError } from '../api/errors.js'

/**
 * The partition count of each target topic, learnt on first sight of the topic: from the
 * target when it has the topic, else by creating it with `partitions` (when `create`), else a
 * ConnectorError that says to create it.
 *
 * @example
 * const topics = new TargetTopics(target, { create: true, partitions: 3, connector: 'mirror' })
 * await topics.partitionsOf('orders-copy') // 3, after creating it
 */
export class TargetTopics {
  private readonly known = new Map<string, Promise<number>>()
  private readonly counts = new Map<string, number>()

  constructor(
    private readonly target: Log,
    private readonly options: { readonly create: boolean; readonly partitions: number; readonly connector: string },
  ) {}

  /** The partition count of `topic` on the target, creating the topic when missing and allowed. */
  partitionsOf(topic: string): Promise<number> {
    let count = this.known.get(topic)
    if (count === undefined) {
      count = this.learn(topic)
      count.then(
        (learnt) => this.counts.set(topic, learnt),
        () => this.known.delete(topic), // not cached: the next batch tries again
      )
      this.known.set(topic, count)
    }
    return count
  }

  /** The partition count of a topic already learnt, without waiting; undefined before. */
  knownPartitionsOf(topic: string): number | undefined {
    return this.counts.get(topic)
  }

  private async learn(topic: string): Promise<number> {
    if ((await this.target.listTopics()).includes(topic)) return this.describe(topic)
    if (!this.options.create) {
      throw new ConnectorError(this.options.connector, `the target has no topic ${topic}: create it, or set createTopics to true`)
    }
    try {
      await this.target.createTopic(topic, { partitions: this.options.partitions })
      return this.options.partitions
    } catch (error) {
      if (error instanceof TopicExistsError) return this.describe(topic) // created meanwhile
      throw error
    }
  }

  private async describe(topic: string): Promise<number> {
    return (await this.target.describeTopic(topic)).partitions.length
  }
}
