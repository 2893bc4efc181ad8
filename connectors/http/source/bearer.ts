import { createHash, timingSafeEqual } from 'node:crypto'
import type { Secret } from '../../api/secret.js'

/**
 * Checks an `Authorization` header against a bearer token in constant time: both sides are
 * hashed first, so neither the token's length nor its first differing byte shows in the time
 * taken.
 *
 * @example
 * if (!bearerMatches(request.headers.authorization, token)) respond(401)
 */
export function bearerMatches(authorization: string | undefined, token: Secret): boolean {
  const match = /^Bearer +(.+)$/i.exec(authorization ?? '')
  const given = createHash('sha256').update(match?.[1]?.trim() ?? '').digest()
  const expected = createHash('sha256').update(token.reveal()).digest()
  return timingSafeEqual(given, expected) && match !== null
}
