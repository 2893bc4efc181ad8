// Prints a new Kafka cluster id (what kafka.sh formats its nodes with): a Kafka Uuid as text,
// 16 random bytes in base64url, never starting with '-', which the storage tool would read as an
// option ("argument --cluster-id: expected one argument"); Kafka's Uuid.randomUuid draws again
// in that case too. `node cluster-id.mjs N` prints N of them, one a line (for the test).
import { randomBytes } from 'node:crypto'

export function clusterId() {
  let id
  do id = randomBytes(16).toString('base64url')
  while (id.startsWith('-'))
  return id
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const count = Number(process.argv[2] ?? 1)
  process.stdout.write(Array.from({ length: count }, clusterId).join('\n') + '\n')
}
