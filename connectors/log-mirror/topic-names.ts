import { ConfigError } from '../../core/errors.js'

/** How source topic names become target topic names. */
export interface TopicNaming {
  readonly prefix: string
  readonly suffix: string
  /** Source topic → target topic; a topic listed here takes no prefix or suffix. */
  readonly rename: ReadonlyMap<string, string>
}

/**
 * Checks the `rename` setting (`{ "orders": "orders-copy" }`) and builds the naming.
 *
 * @example
 * const naming = topicNaming('dc1.', '', { orders: 'all-orders' })
 * targetTopic(naming, 'orders') // 'all-orders'
 * targetTopic(naming, 'users')  // 'dc1.users'
 */
export function topicNaming(prefix: string, suffix: string, rename: object | undefined): TopicNaming {
  const map = new Map<string, string>()
  for (const [source, target] of Object.entries(rename ?? {})) {
    if (typeof target !== 'string' || target === '') throw new ConfigError(`rename.${source}`, 'must be the target topic\'s name')
    map.set(source, target)
  }
  return { prefix, suffix, rename: map }
}

/** The target topic of a source topic. */
export function targetTopic(naming: TopicNaming, source: string): string {
  return naming.rename.get(source) ?? `${naming.prefix}${source}${naming.suffix}`
}
