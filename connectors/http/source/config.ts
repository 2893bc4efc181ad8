import { field } from '../../api/config-schema.js'

/**
 * The settings of `http-source`, the webhook receiver. Every field has a default but `token`,
 * which is optional: without it the endpoint takes any caller (bind it to 127.0.0.1 then).
 *
 * @example
 * parseConfig(httpSourceConfig, { port: 8080, path: '/events', token: { env: 'WEBHOOK_TOKEN' } }, 'config')
 */
export const httpSourceConfig = {
  host: field.string({ default: '127.0.0.1', doc: 'the address to listen on; 0.0.0.0 for every interface' }),
  port: field.integer({ min: 0, max: 65_535, default: 0, doc: 'the port; 0 picks a free one, logged and reported as the gauge `port`' }),
  path: field.string({ default: '/', pattern: /^\//, doc: 'the path that takes POSTs' }),
  token: field.secret({ optional: true, doc: 'when set, a request must carry `Authorization: Bearer <token>`' }),
  format: field.oneOf(['json', 'ndjson', 'text'] as const, { default: 'json', doc: 'json: a value or an array of values per body; ndjson: a value per line; text: the body as one string' }),
  keyField: field.string({ optional: true, doc: 'the field of each JSON object that is its record key' }),
  keyHeader: field.string({ optional: true, doc: 'the request header whose value is the key of the body\'s records (when keyField gives none)' }),
  maxBodyBytes: field.integer({ min: 1, default: 1_048_576, doc: 'a larger body is answered 413' }),
  maxQueuedRecords: field.integer({ min: 1, default: 10_000, doc: 'records held until the log has them; past it a request is answered 429' }),
  maxPollRecords: field.integer({ min: 1, default: 1_000, doc: 'records handed to the runner per poll (whole requests: one body is never split)' }),
  retryAfter: field.duration({ default: '1s', doc: 'the Retry-After of a 429 or 503, rounded up to whole seconds' }),
}
