/**
 * Loads a seeded Nexmark sample into a Kafka broker for trying the Kafka Streams anchor by hand.
 * Nexmark's event times are in 2015, so a broker's default time retention (7 days) would delete
 * the records soon after they are written: the topics are created with unlimited retention, and
 * with `--unlimited-broker-retention` the broker's default becomes unlimited too (what topics that
 * others create, such as those of examples/nexmark/index.ts, then inherit).
 *
 *   node --import tsx test/bench/anchors/kafka-streams/load-sample.ts --brokers 127.0.0.1:9092 \
 *     --events 100000 --partitions 1 --tag sample [--unlimited-broker-retention]
 *
 * Prints the topics and counts as one JSON line.
 */
import { parseArgs } from 'node:util'
import kafkajs from 'kafkajs'
import { openKafkaLog } from '../../../../core/log/kafka/index.js'
import { loadNexmark, type NexmarkTopics } from '../../../../connectors/nexmark/index.js'

const { values } = parseArgs({
  options: {
    brokers: { type: 'string', default: '127.0.0.1:9092' },
    events: { type: 'string', default: '100000' },
    partitions: { type: 'string', default: '1' },
    seed: { type: 'string', default: '42' },
    rate: { type: 'string', default: '200' },
    tag: { type: 'string', default: 'sample' },
    'unlimited-broker-retention': { type: 'boolean', default: false },
  },
})
const brokers = values.brokers.split(',')
if (values['unlimited-broker-retention']) await unlimitedBrokerRetention(brokers)

const topics: NexmarkTopics = { persons: `nexmark-persons-${values.tag}`, auctions: `nexmark-auctions-${values.tag}`, bids: `nexmark-bids-${values.tag}` }
const log = await openKafkaLog({ brokers, clientId: 'load-sample' })
try {
  const partitions = Number(values.partitions)
  const existing = new Set(await log.listTopics())
  for (const topic of Object.values(topics)) if (!existing.has(topic)) await log.createTopic(topic, { partitions, retentionMs: -1 })
  const started = Date.now()
  const loaded = await loadNexmark(log, { seed: Number(values.seed), eventsPerSecond: Number(values.rate), events: Number(values.events), topics, partitions })
  console.log(JSON.stringify({ ...loaded, seconds: (Date.now() - started) / 1000 }))
} finally {
  await log.close()
}

/** Makes unlimited time retention every broker's default for new topics (a dynamic per-broker config). */
async function unlimitedBrokerRetention(bootstrap: string[]): Promise<void> {
  const admin = new kafkajs.Kafka({ brokers: bootstrap, clientId: 'load-sample', logLevel: kafkajs.logLevel.NOTHING }).admin()
  await admin.connect()
  try {
    const { brokers: nodes } = await admin.describeCluster()
    const resources = nodes.map(({ nodeId }) => ({ type: kafkajs.ConfigResourceTypes.BROKER, name: String(nodeId), configEntries: [{ name: 'log.retention.ms', value: '-1' }] }))
    await admin.alterConfigs({ validateOnly: false, resources })
  } finally {
    await admin.disconnect()
  }
}
