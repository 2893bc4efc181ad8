// Opens the embedded log in argv[2] for writing, says "ready", and holds it until killed.
import { openEmbeddedLog } from '../../../core/log/embedded/index.js'

const dir = process.argv[2]!
const log = await openEmbeddedLog({ dir, durability: 'none' })
if (process.argv[3] === 'with-topic') {
  await log.createTopic('shared', { partitions: 1 })
  await log.producer().send([{ topic: 'shared', partition: 0, value: Buffer.from('first') }])
}
process.stdout.write('ready\n')
process.stdin.on('data', async (chunk) => {
  for (const line of chunk.toString().trim().split('\n')) {
    await log.producer().send([{ topic: 'shared', partition: 0, value: Buffer.from(line) }])
    process.stdout.write(`appended ${line}\n`)
  }
})
