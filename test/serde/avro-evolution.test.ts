import { describe, expect, it } from 'vitest'
import { InMemorySchemaRegistry, serdes } from '../../core/serde/index.js'
import { serdeErrorOf, valueOf } from './helpers.js'

const USER_V1 = {
  type: 'record',
  name: 'User',
  namespace: 'com.acme',
  fields: [
    { name: 'id', type: 'int' },
    { name: 'name', type: 'string' },
  ],
}
/** v2 adds two fields with defaults and drops none. */
const USER_V2 = {
  type: 'record',
  name: 'User',
  namespace: 'com.acme',
  fields: [
    { name: 'id', type: 'int' },
    { name: 'name', type: 'string' },
    { name: 'email', type: ['null', 'string'], default: null },
    { name: 'country', type: 'string', default: 'NL' },
  ],
}
/** A reader that drops `name` and widens `id` to long. */
const USER_ID_ONLY = { type: 'record', name: 'User', namespace: 'com.acme', fields: [{ name: 'id', type: 'long' }] }

interface UserV1 { id: number; name: string }
interface UserV2 extends UserV1 { email: string | null; country: string }

const context = valueOf('users')

describe('Avro schema evolution', () => {
  it('reads v1 payloads with a v2 reader: added fields take their defaults', () => {
    const registry = new InMemorySchemaRegistry()
    const v1 = serdes.avro<UserV1>({ schema: USER_V1, registry })
    const v2 = serdes.avro<UserV2>({ schema: USER_V1, readerSchema: USER_V2, registry })
    const bytes = v1.serialize({ id: 1, name: 'ada' }, context)
    expect(v2.deserialize(bytes, context)).toEqual({ id: 1, name: 'ada', email: null, country: 'NL' })
  })

  it('reads with a reader that drops a field, skipping it in the payload', () => {
    const registry = new InMemorySchemaRegistry()
    const v2 = serdes.avro<UserV2>({ schema: USER_V2, registry })
    const idOnly = serdes.avro<{ id: number }>({ schema: USER_V2, readerSchema: USER_ID_ONLY, registry })
    const bytes = v2.serialize({ id: 7, name: 'grace', email: 'g@acme.test', country: 'US' }, context)
    expect(idOnly.deserialize(bytes, context)).toEqual({ id: 7 })
  })

  it('reads into its own schema, resolving from whatever writer schema a payload names', () => {
    const registry = new InMemorySchemaRegistry()
    const oldProducer = serdes.avro<UserV1>({ schema: USER_V1, registry })
    const newProducer = serdes.avro<UserV2>({ schema: USER_V2, registry })
    const newApp = serdes.avro<UserV2>({ schema: USER_V2, registry })
    const oldBytes = oldProducer.serialize({ id: 1, name: 'ada' }, context)
    const newBytes = newProducer.serialize({ id: 2, name: 'bob', email: null, country: 'BE' }, context)
    expect(oldBytes.readInt32BE(1)).not.toBe(newBytes.readInt32BE(1))
    expect(newApp.deserialize(oldBytes, context)).toEqual({ id: 1, name: 'ada', email: null, country: 'NL' })
    expect(newApp.deserialize(newBytes, context)).toEqual({ id: 2, name: 'bob', email: null, country: 'BE' })
  })

  it('lets an old reader read new payloads (forward compatibility)', () => {
    const registry = new InMemorySchemaRegistry()
    const newProducer = serdes.avro<UserV2>({ schema: USER_V2, registry })
    const oldApp = serdes.avro<UserV1>({ schema: USER_V1, registry })
    const bytes = newProducer.serialize({ id: 3, name: 'cy', email: 'c@acme.test', country: 'FR' }, context)
    expect(oldApp.deserialize(bytes, context)).toEqual({ id: 3, name: 'cy' })
  })

  it('reports a writer schema the reader cannot read, naming the schema id', () => {
    const registry = new InMemorySchemaRegistry()
    const v1 = serdes.avro<UserV1>({ schema: USER_V1, registry })
    const needsEmail = {
      ...USER_V1,
      fields: [...USER_V1.fields, { name: 'email', type: 'string' }], // no default
    }
    const reader = serdes.avro({ schema: USER_V1, readerSchema: needsEmail, registry })
    const bytes = v1.serialize({ id: 1, name: 'ada' }, context)
    const error = serdeErrorOf(() => reader.deserialize(bytes, context))
    expect(error.reason).toMatch(new RegExp(`^writer schema id ${bytes.readInt32BE(1)} \\(com.acme.User\\) cannot be read as the reader schema`))
  })
})
