import type { RejectedInput } from 'tributary/connectors'

/** An item's position in the feed: a number, or a string that sorts (an ISO timestamp, a ULID). */
export type ItemId = number | string

/** The items of a response newer than `after`, in id order, and those that could not be read. */
export interface NewItems {
  readonly items: readonly { readonly id: ItemId; readonly item: Readonly<Record<string, unknown>> }[]
  readonly rejected: readonly RejectedInput[]
}

/**
 * Picks the items out of a response (`itemsField` of it, or the response itself when it is the
 * array), keeps those whose `idField` comes after `after` and sorts them by it. An item that is
 * not an object, or has no id of the feed's kind, is rejected with the reason.
 *
 * @example
 * newItems({ data: [{ id: 3 }, { id: 1 }, { id: 5 }] }, { itemsField: 'data', idField: 'id', after: 2, location: 'GET /orders' })
 * // { items: [{ id: 3, … }, { id: 5, … }], rejected: [] }
 */
export function newItems(body: unknown, options: { readonly itemsField: string | undefined; readonly idField: string; readonly after: ItemId | undefined; readonly location: string }): NewItems {
  const list = options.itemsField === undefined ? body : isObject(body) ? body[options.itemsField] : undefined
  if (!Array.isArray(list)) {
    const where = options.itemsField === undefined ? 'the response is not a JSON array' : `the response has no array in field ${options.itemsField}`
    return { items: [], rejected: [{ input: JSON.stringify(body).slice(0, 10_000), error: new Error(where), location: options.location }] }
  }
  const items: { id: ItemId; item: Readonly<Record<string, unknown>> }[] = []
  const rejected: RejectedInput[] = []
  // Ids of one feed are all numbers or all strings: the stored id, else the first one, says which.
  let kindOfIds = options.after === undefined ? undefined : typeof options.after
  for (const [index, item] of list.entries()) {
    const id: unknown = isObject(item) ? item[options.idField] : undefined
    if (isId(id)) kindOfIds ??= typeof id
    if (!isObject(item) || !isId(id) || typeof id !== kindOfIds) {
      const kind = kindOfIds === undefined ? 'a number or a string' : `a ${kindOfIds}, as the other ids`
      rejected.push({ input: JSON.stringify(item) ?? 'undefined', error: new Error(`item ${index} has no ${options.idField} that is ${kind}`), location: `${options.location} item ${index}` })
      continue
    }
    if (options.after === undefined || id > options.after) items.push({ id, item })
  }
  items.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
  return { items, rejected }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function isId(value: unknown): value is ItemId {
  return (typeof value === 'number' && Number.isFinite(value)) || (typeof value === 'string' && value !== '')
}
