import net from 'node:net'
import type { ConnectionOptions } from 'node:tls'
import { afterEach, describe, expect, it } from 'vitest'
import { JoinGate } from '../../../core/log/kafka/join-gate.js'

const JOIN_GROUP = 11
const HEARTBEAT = 12

/** The head of a Kafka request frame: int32 size, int16 api key, int16 version, int32 correlation id. */
function frame(apiKey: number, correlationId: number): Buffer {
  const bytes = Buffer.alloc(12)
  bytes.writeInt32BE(8, 0)
  bytes.writeInt16BE(apiKey, 4)
  bytes.writeInt32BE(correlationId, 8)
  return bytes
}

/** A loopback server that hands over the frames it receives, in order. */
async function frameServer(): Promise<{ port: number; next(): Promise<Buffer>; close(): void }> {
  const frames: Buffer[] = []
  const waiters: ((frame: Buffer) => void)[] = []
  let pending = Buffer.alloc(0)
  const server = net.createServer((socket) => {
    socket.on('data', (data: Buffer) => {
      pending = Buffer.concat([pending, data])
      while (pending.length >= 12) {
        const received = pending.subarray(0, 12)
        pending = pending.subarray(12)
        const waiter = waiters.shift()
        if (waiter) waiter(received)
        else frames.push(received)
      }
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as net.AddressInfo
  return {
    port,
    next: () => new Promise((resolve) => (frames.length > 0 ? resolve(frames.shift()!) : waiters.push(resolve))),
    close: () => server.close(),
  }
}

describe('JoinGate', () => {
  const cleanups: (() => void)[] = []
  afterEach(() => cleanups.splice(0).forEach((cleanup) => cleanup()))

  async function connect(gate: JoinGate, port: number): Promise<net.Socket> {
    let socket!: net.Socket
    await new Promise<void>((resolve) => {
      // kafkajs passes a null `ssl` when TLS is off.
      socket = gate.socketFactory()({ host: '127.0.0.1', port, ssl: null as unknown as ConnectionOptions, onConnect: resolve })
    })
    cleanups.push(() => socket.destroy())
    return socket
  }

  it('holds a JoinGroup frame while the consumer owns partitions, lets other requests pass, and sends it on open', async () => {
    const server = await frameServer()
    cleanups.push(server.close)
    let holds = 0
    const gate = new JoinGate(() => true, () => holds++)
    const socket = await connect(gate, server.port)
    socket.write(frame(JOIN_GROUP, 1), 'binary')
    socket.write(frame(HEARTBEAT, 2), 'binary')
    expect((await server.next()).readInt32BE(8)).toBe(2)
    expect(gate.waiting).toBe(true)
    expect(holds).toBe(1)
    gate.open()
    expect(gate.waiting).toBe(false)
    const join = await server.next()
    expect([join.readInt16BE(4), join.readInt32BE(8)]).toEqual([JOIN_GROUP, 1])
  })

  it('lets a JoinGroup through when the consumer owns nothing', async () => {
    const server = await frameServer()
    cleanups.push(server.close)
    const gate = new JoinGate(() => false, () => expect.unreachable())
    const socket = await connect(gate, server.port)
    socket.write(frame(JOIN_GROUP, 1), 'binary')
    expect((await server.next()).readInt16BE(4)).toBe(JOIN_GROUP)
    expect(gate.waiting).toBe(false)
  })
})
