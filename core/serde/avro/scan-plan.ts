/**
 * A writer schema compiled for the bounded scan (`scan.ts`): what each value occupies on the wire,
 * and the fewest bytes it can take, so a block that claims more items than its bytes could hold
 * is refused before anything is allocated.
 */
import avro from 'avsc'
import type { Type } from 'avsc'

export type ScanNode = FixedNode | VarintNode | EnumNode | BlobNode | RecordNode | ArrayNode | MapNode | UnionNode

interface NodeBase {
  /** The fewest bytes a value of this node encodes to (a lower bound for recursive schemas). */
  minBytes: number
}
/** null (0 bytes), boolean (1), float (4), double (8), fixed (its size). */
export interface FixedNode extends NodeBase { readonly kind: 'fixed'; readonly bytes: number }
/** int and long: a zigzag varint of 1 to 10 bytes. */
export interface VarintNode extends NodeBase { readonly kind: 'varint' }
export interface EnumNode extends NodeBase { readonly kind: 'enum'; readonly symbolCount: number }
/** bytes and string: a varint length, then that many bytes. */
export interface BlobNode extends NodeBase { readonly kind: 'blob' }
export interface RecordNode extends NodeBase { readonly kind: 'record'; readonly fields: ScanNode[] }
export interface ArrayNode extends NodeBase { readonly kind: 'array'; items: ScanNode }
export interface MapNode extends NodeBase { readonly kind: 'map'; values: ScanNode }
export interface UnionNode extends NodeBase { readonly kind: 'union'; readonly branches: ScanNode[] }

const UNKNOWN = -1

/**
 * Compiles an avsc type (recursive ones included) into scan nodes (internal).
 *
 * @example
 * compileScanPlan(avro.Type.forSchema({ type: 'array', items: 'double' })) // { kind: 'array', items: { kind: 'fixed', bytes: 8 }, … }
 */
export function compileScanPlan(type: Type): ScanNode {
  const root = compile(type, new Map())
  computeMinBytes(root, new Set())
  return root
}

function compile(type: Type, memo: Map<Type, ScanNode>): ScanNode {
  const known = memo.get(type)
  if (known !== undefined) return known
  const node = compileNew(type, memo)
  memo.set(type, node)
  return node
}

function compileNew(type: Type, memo: Map<Type, ScanNode>): ScanNode {
  switch (type.typeName) {
    case 'null': return { kind: 'fixed', bytes: 0, minBytes: UNKNOWN }
    case 'boolean': return { kind: 'fixed', bytes: 1, minBytes: UNKNOWN }
    case 'float': return { kind: 'fixed', bytes: 4, minBytes: UNKNOWN }
    case 'double': return { kind: 'fixed', bytes: 8, minBytes: UNKNOWN }
    case 'int': case 'long': case 'abstract:long': return { kind: 'varint', minBytes: UNKNOWN }
    case 'bytes': case 'string': return { kind: 'blob', minBytes: UNKNOWN }
  }
  if (type instanceof avro.types.LogicalType) return compile(type.underlyingType, memo)
  if (type instanceof avro.types.FixedType) return { kind: 'fixed', bytes: type.size, minBytes: UNKNOWN }
  if (type instanceof avro.types.EnumType) return { kind: 'enum', symbolCount: type.symbols.length, minBytes: UNKNOWN }
  if (type instanceof avro.types.RecordType) {
    // Registered before its fields are compiled, so a field that refers back to it finds it.
    const node: RecordNode = { kind: 'record', fields: [], minBytes: UNKNOWN }
    memo.set(type, node)
    for (const field of type.fields) node.fields.push(compile(field.type, memo))
    return node
  }
  if (type instanceof avro.types.ArrayType) {
    const node: ArrayNode = { kind: 'array', items: PLACEHOLDER, minBytes: UNKNOWN }
    memo.set(type, node)
    node.items = compile(type.itemsType, memo)
    return node
  }
  if (type instanceof avro.types.MapType) {
    const node: MapNode = { kind: 'map', values: PLACEHOLDER, minBytes: UNKNOWN }
    memo.set(type, node)
    const valuesType: Type = type.valuesType
    node.values = compile(valuesType, memo)
    return node
  }
  if (type instanceof avro.types.UnwrappedUnionType || type instanceof avro.types.WrappedUnionType) {
    const node: UnionNode = { kind: 'union', branches: [], minBytes: UNKNOWN }
    memo.set(type, node)
    for (const branch of type.types) node.branches.push(compile(branch, memo))
    return node
  }
  throw new Error(`cannot read Avro type ${type.typeName}`)
}

const PLACEHOLDER: ScanNode = { kind: 'fixed', bytes: 0, minBytes: 0 }

/** Fills in `minBytes`; a record met again while its own size is being computed counts as 0. */
function computeMinBytes(node: ScanNode, inProgress: Set<ScanNode>): number {
  if (node.minBytes !== UNKNOWN) return node.minBytes
  if (inProgress.has(node)) return 0
  inProgress.add(node)
  node.minBytes = minBytesOf(node, inProgress)
  inProgress.delete(node)
  return node.minBytes
}

function minBytesOf(node: ScanNode, inProgress: Set<ScanNode>): number {
  switch (node.kind) {
    case 'fixed': return node.bytes
    case 'varint': case 'enum': case 'blob': return 1
    case 'record': return node.fields.reduce((sum, field) => sum + computeMinBytes(field, inProgress), 0)
    case 'array': computeMinBytes(node.items, inProgress); return 1
    case 'map': computeMinBytes(node.values, inProgress); return 1
    case 'union': for (const branch of node.branches) computeMinBytes(branch, inProgress); return 1
  }
}
