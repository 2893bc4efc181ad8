import type { Type } from 'avsc'
import { reasonOf } from '../errors.js'
import { compileScanPlan, type ScanNode } from './scan-plan.js'
import { displayName, toAvroType, type AvroSchemaDefinition } from './schema.js'

type Resolver = ReturnType<Type['createResolver']>

/** What decoding payloads of one writer schema id needs, built once per id. */
export interface WriterDecoder {
  readonly schemaId: number
  /** The writer schema compiled for the bounded scan. */
  readonly plan: ScanNode
  /** Reads the writer's bytes as the reader schema; undefined when both have the same layout. */
  readonly resolver: Resolver | undefined
}

/**
 * Builds the decoder of a writer schema for a reader type, or says why it cannot (internal).
 *
 * @example
 * const decoder = buildWriterDecoder(7, writerDefinition, readerType)
 * if (typeof decoder === 'string') throw new Error(decoder)
 */
export function buildWriterDecoder(schemaId: number, writer: AvroSchemaDefinition, reader: Type): WriterDecoder | string {
  let writerType: Type
  let plan: ScanNode
  try {
    writerType = toAvroType(writer)
    plan = compileScanPlan(writerType)
  } catch (err) {
    return `writer schema id ${schemaId} is not a usable Avro schema: ${reasonOf(err)}`
  }
  // Same canonical form, same bytes: read directly, no resolver needed.
  if (writerType.equals(reader)) return { schemaId, plan, resolver: undefined }
  try {
    return { schemaId, plan, resolver: reader.createResolver(writerType) }
  } catch (err) {
    return `writer schema id ${schemaId} (${displayName(writerType)}) cannot be read as the reader schema: ${reasonOf(err)}`
  }
}
