// `fatal`: bytes that are not UTF-8 are an error, not silently replaced by U+FFFD (Kafka's
// StringDeserializer replaces them; we would rather report damage than change data).
// `ignoreBOM`: a leading U+FEFF is part of the text, so every string round-trips.
const STRICT_UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })

/**
 * Decodes UTF-8 strictly; throws a TypeError on bytes that are not UTF-8 (internal).
 *
 * @example
 * decodeUtf8(Buffer.from('héllo')) // 'héllo'
 * decodeUtf8(Buffer.from([0xff]))  // throws TypeError
 */
export function decodeUtf8(bytes: Buffer): string {
  return STRICT_UTF8.decode(bytes)
}
