import fs from 'node:fs'
import path from 'node:path'
import { AppendChild } from './child-process.js'
import { openEmbeddedLog } from '../../core/log/embedded/index.js'
const base = process.argv[2]!
const root = fs.mkdtempSync(path.join(base, 'exp-'))
const dir = path.join(root, 'data')
let cuts = 0, inflight = 0
for (let i = 0; i < 40; i++) {
  const child = new AppendChild(dir, i, 1)
  await child.waitUntil(() => child.readySequence !== undefined && child.acks.length >= 10 + (i % 7))
  child.kill()
  await child.exited
  const log = await openEmbeddedLog({ dir, readOnly: true, logger: { warn: () => {} } })
  const ev = log.recoveryEvents().filter((e) => e.topic === 'crash-appends')
  cuts += ev.length
  const d = await log.describeTopic('crash-appends')
  await log.close()
  const last = child.acks[child.acks.length - 1]!
  const endOf = d.partitions.map((p) => p.endOffset)
  // in-flight: partition end beyond last acked offset of that partition in this run
  const lastByP = new Map<number, number>()
  for (const a of child.acks) lastByP.set(a.partition, a.lastOffset)
  for (const [p, o] of lastByP) if (endOf[p]! > o + 1) inflight++
  void last
}
console.log({ cuts, inflight })
fs.rmSync(root, { recursive: true, force: true })
