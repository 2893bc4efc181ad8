/**
 * Micro-benchmark of the JSON serdes on one core, no I/O: 200,000 Nexmark bids (about 250 bytes
 * each) serialized and deserialized by `serdes.json` with a guard written by hand (`isBid`) and
 * by `serdes.json` with the bid's shape (`NEXMARK_SHAPES.bid`). Five rounds each, the best kept.
 * Prints one JSON line; `TRIBUTARY_BENCH_SCALE` multiplies the number of bids.
 *
 * @example
 * npx tsx test/bench/micro/json-serde.ts
 * // {"workload":"json-serde-micro","records":200000,"guard_serialize_ns":…,"shape_serialize_ns":…,…}
 */
import { serdes, type Serde } from '../../../core/serde/index.js'
import { NexmarkGenerator } from '../../../connectors/nexmark/generator.js'
import { isBid, NEXMARK_SHAPES } from '../../../connectors/nexmark/serdes.js'
import type { Bid } from '../../../connectors/nexmark/types.js'

const ROUNDS = 5
const scale = Number(process.env['TRIBUTARY_BENCH_SCALE'] ?? '1')
const count = Math.max(1, Math.round(200_000 * scale))
const context = { topic: 'nexmark-bids', isKey: false }

const bids: Bid[] = []
for (const event of new NexmarkGenerator({ seed: 42 })) {
  if (event.type === 'bid') bids.push(event.bid)
  if (bids.length === count) break
}
const bytes = bids.map((bid) => Buffer.from(JSON.stringify(bid)))

/** The best of ROUNDS runs of `body` over every bid, in nanoseconds per bid. */
function nsPerRecord(body: () => number): number {
  let best = Infinity
  let sink = 0
  for (let round = 0; round < ROUNDS; round++) {
    const start = process.hrtime.bigint()
    sink += body()
    best = Math.min(best, Number(process.hrtime.bigint() - start) / bids.length)
  }
  if (sink === 0) throw new Error('nothing was measured')
  return Math.round(best)
}

function measure(serde: Serde<Bid>): { serialize: number; deserialize: number } {
  return {
    serialize: nsPerRecord(() => bids.reduce((total, bid) => total + serde.serialize(bid, context).length, 0)),
    deserialize: nsPerRecord(() => bytes.reduce((total, value) => total + serde.deserialize(value, context).auction, 0)),
  }
}

const guarded = measure(serdes.json({ guard: isBid, name: 'Bid' }))
const shaped = measure(serdes.json({ shape: NEXMARK_SHAPES.bid, name: 'Bid' }))
process.stdout.write(
  `${JSON.stringify({
    workload: 'json-serde-micro',
    records: bids.length,
    guard_serialize_ns: guarded.serialize,
    shape_serialize_ns: shaped.serialize,
    guard_deserialize_ns: guarded.deserialize,
    shape_deserialize_ns: shaped.deserialize,
  })}\n`,
)
