/**
 * Holds a consumer's JoinGroup request until its revocation callback has run.
 *
 * Kafka's eager rebalance protocol hands a partition to a new owner only after every member has
 * rejoined, and Java's consumer runs `onPartitionsRevoked` (where an app commits what it
 * processed) before it rejoins. kafkajs rejoins as soon as it learns of a rebalance and has no
 * hook before that, so this gate sits where kafkajs writes requests (its documented
 * `socketFactory`): a JoinGroup frame written while the consumer still owns partitions is kept
 * back, the consumer's next poll runs `onRevoked` and opens the gate, and only then does the
 * frame go out. Other requests (the commits made in `onRevoked`) pass at once, so they reach the
 * broker while the group still accepts the old generation's commits.
 *
 * Every request kafkajs writes is one `write` of a whole frame: int32 size, int16 api key, ….
 */
import net from 'node:net'
import tls from 'node:tls'
import type { ISocketFactory } from 'kafkajs'

const JOIN_GROUP_API_KEY = 11
/** As kafkajs's own socket factory. */
const KEEP_ALIVE_DELAY_MS = 60_000

export class JoinGate {
  private held: (() => void)[] = []

  /**
   * @param shouldHold whether a JoinGroup written now must wait (the consumer owns partitions)
   * @param onHold called when a JoinGroup is held, so the consumer's poll can revoke
   */
  constructor(
    private readonly shouldHold: () => boolean,
    private readonly onHold: () => void,
  ) {}

  /** Whether a JoinGroup is waiting for `open`. */
  get waiting(): boolean {
    return this.held.length > 0
  }

  /** Writes every held frame. */
  open(): void {
    const held = this.held
    this.held = []
    for (const write of held) write()
  }

  /**
   * A kafkajs socket factory whose sockets pass JoinGroup frames through this gate.
   *
   * @example
   * const gate = new JoinGate(() => owned.size > 0, () => signal.notify())
   * const client = createKafkaClient(options, gate.socketFactory())
   */
  socketFactory(): ISocketFactory {
    return ({ host, port, ssl, onConnect }) => {
      const socket = ssl
        ? tls.connect({ host, port, ...(net.isIP(host) ? {} : { servername: host }), ...ssl }, onConnect)
        : net.connect({ host, port }, onConnect)
      socket.setKeepAlive(true, KEEP_ALIVE_DELAY_MS)
      const write = socket.write.bind(socket) as (...args: unknown[]) => boolean
      socket.write = ((...args: unknown[]): boolean => {
        const [chunk] = args
        if (Buffer.isBuffer(chunk) && isJoinGroup(chunk) && this.shouldHold()) {
          this.held.push(() => {
            if (!socket.destroyed) write(...args)
          })
          this.onHold()
          return true
        }
        return write(...args)
      }) as typeof socket.write
      return socket
    }
  }
}

function isJoinGroup(frame: Buffer): boolean {
  return frame.length >= 6 && frame.readInt16BE(4) === JOIN_GROUP_API_KEY
}
