import { partitionKey } from './partition-key.js'

export interface AssignorMember {
  readonly id: string
  readonly topics: ReadonlySet<string>
  readonly owned: ReadonlySet<string>
}

/**
 * Balanced, sticky assignment: each partition goes to a member subscribed to its topic;
 * a member keeps what it owns up to its fair share, and the rest go to the least loaded.
 *
 * @example
 * assignPartitions([{ id: 'a', topics: new Set(['t']), owned: new Set() }], () => 2)
 * // Map { 'a' => Set { 't:0', 't:1' } }
 */
export function assignPartitions(
  members: readonly AssignorMember[],
  partitionsOf: (topic: string) => number,
): Map<string, Set<string>> {
  const result = new Map<string, Set<string>>()
  for (const member of members) result.set(member.id, new Set())
  const topics = [...new Set(members.flatMap((member) => [...member.topics]))].sort()
  const owners = new Map<string, string>()
  for (const member of members) for (const key of member.owned) owners.set(key, member.id)
  for (const topic of topics) {
    const eligible = members.filter((member) => member.topics.has(topic)).sort((a, b) => (a.id < b.id ? -1 : 1))
    const count = partitionsOf(topic)
    if (eligible.length === 0 || count <= 0) continue
    // Every member gets `base` partitions; `extra` of them get one more.
    const base = Math.floor(count / eligible.length)
    let extra = count % eligible.length
    const load = new Map(eligible.map((member) => [member.id, 0]))
    const unplaced: string[] = []
    for (let partition = 0; partition < count; partition++) {
      const key = partitionKey(topic, partition)
      const owner = owners.get(key)
      const ownerLoad = owner === undefined ? undefined : load.get(owner)
      if (owner !== undefined && ownerLoad !== undefined && (ownerLoad < base || (ownerLoad === base && extra > 0))) {
        if (ownerLoad === base) extra--
        result.get(owner)!.add(key)
        load.set(owner, ownerLoad + 1)
      } else unplaced.push(key)
    }
    for (const key of unplaced) {
      let best = eligible[0]!.id
      for (const member of eligible) if (load.get(member.id)! < load.get(best)!) best = member.id
      result.get(best)!.add(key)
      load.set(best, load.get(best)! + 1)
    }
  }
  return result
}
