/**
 * `rest-poll-source`: a Tributary source connector, and a template for writing your own. It
 * polls a JSON HTTP endpoint every `interval` and emits each item it has not emitted yet, as
 * told by an increasing id (or cursor) field. The last id is the connector's stored offset, so
 * after a restart it goes on from there, with no item lost (at least once: a crash between a
 * write and its offset store may emit the last batch again).
 *
 * @example
 * // connect.json, run with `tributary connect connect.json`
 * { "log": { "data": "./tributary-data" },
 *   "connectors": [{ "name": "orders-api", "connector": "tributary-connector-rest-poll", "topic": "orders",
 *                    "config": { "url": "https://api.example.com/orders", "itemsField": "data",
 *                                "token": { "env": "ORDERS_API_TOKEN" }, "sinceParam": "since", "interval": "30s" } }] }
 */
import { defineSource, field, type SourceBatch } from 'tributary/connectors'
import { fetchJson } from './fetch-json.js'
import { newItems, type ItemId } from './items.js'
import { sleep } from './sleep.js'

export { EndpointError } from './endpoint-error.js'

const config = {
  url: field.string({ pattern: /^https?:\/\/\S+$/, doc: 'the endpoint to GET, answering with JSON' }),
  interval: field.duration({ default: '30s', doc: 'time from one request to the next' }),
  token: field.secret({ optional: true, doc: 'a bearer token, sent as Authorization: Bearer …' }),
  itemsField: field.string({ optional: true, doc: 'the field of the response that holds the items; default: the response is the array' }),
  idField: field.string({ default: 'id', doc: 'the field that orders the items: increasing numbers or sortable strings (ISO timestamps)' }),
  sinceParam: field.string({ optional: true, doc: 'a query parameter that tells the endpoint the last id seen, e.g. since' }),
  timeout: field.duration({ default: '10s', doc: 'how long a request may take' }),
}

const restPollSource = defineSource<typeof config, string, unknown>({
  name: 'rest-poll-source',
  description: 'Polls a JSON HTTP endpoint and emits the items newer than the last one emitted',
  config,
  serdes: { key: 'string', value: 'json' },
  start(settings, context) {
    const partition = { url: settings.url }
    const stored = context.offset(partition)?.['lastId']
    let lastId: ItemId | undefined = typeof stored === 'number' || typeof stored === 'string' ? stored : undefined
    let lastRequestAt: number | undefined
    return {
      async poll(): Promise<SourceBatch<string, unknown>> {
        // Wait for the next request, but return an empty batch after pollTimeoutMs so the runner
        // can commit and stop in time.
        const dueAt = lastRequestAt === undefined ? context.clock.now() : lastRequestAt + settings.interval
        await sleep(Math.min(dueAt - context.clock.now(), context.pollTimeoutMs), context.clock, context.signal)
        if (context.signal.aborted || context.clock.now() < dueAt) return { records: [] }

        const url = new URL(settings.url)
        if (settings.sinceParam !== undefined && lastId !== undefined) url.searchParams.set(settings.sinceParam, String(lastId))
        const result = await fetchJson(url, { connector: context.name, token: settings.token, timeoutMs: settings.timeout, clock: context.clock, signal: context.signal })
        lastRequestAt = context.clock.now()
        const location = `GET ${url.origin}${url.pathname}`
        if (!('json' in result)) return { records: [], rejected: [{ input: result.text, error: result.error, location }] }

        const found = newItems(result.json, { itemsField: settings.itemsField, idField: settings.idField, after: lastId, location })
        lastId = found.items.at(-1)?.id ?? lastId
        context.metrics.count('requests')
        return {
          records: found.items.map(({ id, item }) => ({ key: String(id), value: item })),
          rejected: found.rejected,
          offsets: lastId === undefined ? [] : [{ partition, offset: { lastId } }],
        }
      },
    }
  },
})

export default restPollSource
