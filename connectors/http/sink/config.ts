import { field } from '../../api/config-schema.js'

/**
 * The settings of `http-sink`. `url` is required; a failed request is retried by the runner
 * (its `retries` setting) after the server's `Retry-After` when it sends one.
 *
 * @example
 * parseConfig(httpSinkConfig, { url: 'https://api.example.com/events', token: { env: 'API_TOKEN' }, batchSize: 200 }, 'config')
 */
export const httpSinkConfig = {
  url: field.string({ pattern: /^https?:\/\/./, doc: 'where batches are sent (http:// or https://)' }),
  method: field.oneOf(['POST', 'PUT'] as const, { default: 'POST' }),
  headers: field.json<Record<string, string>, { optional: true; doc: string }>({ optional: true, doc: 'extra request headers, name → value (put credentials in token, which is kept secret)' }),
  token: field.secret({ optional: true, doc: 'sent as `Authorization: Bearer <token>`' }),
  format: field.oneOf(['json-array', 'ndjson'] as const, { default: 'json-array', doc: 'a body is a JSON array of the batch\'s items, or one item per line' }),
  payload: field.oneOf(['record', 'value'] as const, { default: 'record', doc: 'an item is {topic, partition, offset, timestamp, key, value}, or the value alone' }),
  batchSize: field.integer({ min: 1, default: 500, doc: 'records per request at most (a request holds records of one partition)' }),
  timeout: field.duration({ default: '30s', doc: 'how long a request may take before it counts as failed (and is retried)' }),
  maxRetryAfter: field.duration({ default: '60s', doc: 'the longest Retry-After of a 429 or 503 honoured' }),
}
