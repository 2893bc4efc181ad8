import type { IncomingMessage } from 'node:http'

/** A body, or why it was not read: longer than the limit, or the client went away. */
export type BodyOutcome = { readonly kind: 'body'; readonly body: Buffer } | { readonly kind: 'too-large' } | { readonly kind: 'aborted' }

/**
 * Reads a request's body up to `maxBytes`. A `Content-Length` over the limit is refused before a
 * byte is read; a chunked body is refused as soon as it passes the limit, so a client can never
 * make the server hold more than `maxBytes` of one body.
 *
 * @example
 * const outcome = await readBody(request, 1_048_576)
 * if (outcome.kind === 'too-large') respond(413)
 */
export function readBody(request: IncomingMessage, maxBytes: number): Promise<BodyOutcome> {
  const declared = Number(request.headers['content-length'] ?? Number.NaN)
  if (Number.isFinite(declared) && declared > maxBytes) return Promise.resolve({ kind: 'too-large' })
  return new Promise((resolve) => {
    const chunks: Buffer[] = []
    let length = 0
    const finish = (outcome: BodyOutcome): void => {
      request.off('data', onData).off('end', onEnd).off('error', onAborted).off('close', onAborted)
      resolve(outcome)
    }
    const onData = (chunk: Buffer): void => {
      length += chunk.length
      if (length > maxBytes) {
        chunks.length = 0
        finish({ kind: 'too-large' })
      } else chunks.push(chunk)
    }
    const onEnd = (): void => finish({ kind: 'body', body: Buffer.concat(chunks, length) })
    const onAborted = (): void => finish({ kind: 'aborted' })
    request.on('data', onData).on('end', onEnd).on('error', onAborted).on('close', onAborted)
  })
}
