import type { TopicAdmin, TopicInfo } from './topic-admin.js'

/**
 * What producers know of each topic (partition count, cleanup policy, record size limit), kept
 * for `maxAgeMs` as Java's producer keeps metadata, and forgotten at once when a send to the
 * topic fails, so a deleted or changed topic is looked up again.
 *
 * @example
 * const cache = new TopicInfoCache(topics, 300_000)
 * const { partitions } = await cache.get('orders')
 */
export class TopicInfoCache {
  private readonly entries = new Map<string, { readonly info: Promise<TopicInfo>; readonly fetchedAt: number }>()

  constructor(
    private readonly topics: TopicAdmin,
    private readonly maxAgeMs: number,
  ) {}

  get(topic: string): Promise<TopicInfo> {
    const now = Date.now()
    const entry = this.entries.get(topic)
    if (entry !== undefined && now - entry.fetchedAt <= this.maxAgeMs) return entry.info
    const info = this.topics.info(topic)
    this.entries.set(topic, { info, fetchedAt: now })
    // A failed lookup is not remembered.
    info.catch(() => {
      if (this.entries.get(topic)?.info === info) this.entries.delete(topic)
    })
    return info
  }

  forget(topic: string): void {
    this.entries.delete(topic)
  }
}
