/** Avro schemas the datagen tests generate values for. */

/** Every kind of Avro type, logical types, an ambiguous (wrapped) union, named references and a recursive record. */
export const everyKind = {
  type: 'record',
  name: 'Everything',
  namespace: 'com.acme.test',
  fields: [
    { name: 'id', type: 'string' },
    { name: 'flag', type: 'boolean' },
    { name: 'small', type: 'int' },
    { name: 'big', type: 'long' },
    { name: 'ratio', type: 'float' },
    { name: 'amount', type: 'double' },
    { name: 'blob', type: 'bytes' },
    { name: 'nothing', type: 'null' },
    { name: 'color', type: { type: 'enum', name: 'Color', symbols: ['RED', 'GREEN', 'BLUE'] } },
    { name: 'hash', type: { type: 'fixed', name: 'Hash', size: 8 } },
    { name: 'tags', type: { type: 'array', items: 'string' } },
    { name: 'scores', type: { type: 'map', values: 'double' } },
    { name: 'maybeName', type: ['null', 'string'] },
    { name: 'numberOrText', type: ['int', 'long', 'string'] },
    { name: 'otherColor', type: ['null', 'Color'] },
    { name: 'hashes', type: { type: 'array', items: 'Hash' } },
    { name: 'address', type: ['null', { type: 'record', name: 'Address', fields: [{ name: 'city', type: 'string' }, { name: 'zip', type: ['null', 'int'] }] }] },
    { name: 'shipTo', type: { type: 'array', items: 'Address' } },
    { name: 'createdAt', type: { type: 'long', logicalType: 'timestamp-millis' } },
    { name: 'createdAtMicros', type: { type: 'long', logicalType: 'timestamp-micros' } },
    { name: 'day', type: { type: 'int', logicalType: 'date' } },
    { name: 'timeOfDay', type: { type: 'int', logicalType: 'time-millis' } },
    { name: 'timeOfDayMicros', type: { type: 'long', logicalType: 'time-micros' } },
    { name: 'uuid', type: { type: 'string', logicalType: 'uuid' } },
    { name: 'price', type: { type: 'bytes', logicalType: 'decimal', precision: 12, scale: 2 } },
    { name: 'bigPrice', type: { type: 'fixed', name: 'Money', size: 4, logicalType: 'decimal', precision: 20, scale: 4 } },
    { name: 'span', type: { type: 'fixed', name: 'Span', size: 12, logicalType: 'duration' } },
    {
      name: 'tree',
      type: {
        type: 'record',
        name: 'Node',
        fields: [
          { name: 'label', type: 'string' },
          { name: 'children', type: { type: 'array', items: 'Node' } },
          { name: 'next', type: ['null', 'Node'] },
        ],
      },
    },
  ],
} as const

/** A small order record, keyed by its id. */
export const order = {
  type: 'record',
  name: 'Order',
  fields: [
    { name: 'id', type: { type: 'string', logicalType: 'uuid' } },
    { name: 'customer', type: 'long' },
    { name: 'total', type: { type: 'bytes', logicalType: 'decimal', precision: 9, scale: 2 } },
    { name: 'status', type: { type: 'enum', name: 'Status', symbols: ['NEW', 'PAID', 'SHIPPED'] } },
  ],
} as const
