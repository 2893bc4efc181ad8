/**
 * Tributary: stream processing for TypeScript on a partitioned log.
 * The public API: apps and streams, serdes, the log backends, clocks and errors.
 * Operators come from `tributary/operators`.
 */
export { App } from './core/runtime/app.js'
export type { AppOptions, AppMetrics, AppLogger, ErrorPolicy } from './core/runtime/app-options.js'
export { Stream, type SinkSerde, type SinkSerdes, type TopicChooser } from './core/runtime/stream.js'
export type { StreamRecord, KeyOf, ValueOf } from './core/runtime/record.js'
export type { TopologyDescription } from './core/runtime/describe.js'
export type { AnySerde, SerdeType, RawBytes } from './core/runtime/serde-codec.js'
export { GroupedStream } from './core/runtime/grouped-stream.js'
export { Table } from './core/runtime/table.js'
export { named, type StoreOptions } from './core/runtime/store-options.js'
export { QueryableStore } from './core/runtime/queryable-store.js'
export type { KeyValue, KeyValueStore, ReadOnlyKeyValueStore, WindowStore, SessionStore, TimeWindow, Windowed } from './state/types.js'
export type { StoreBackend, StoreBackendFactory } from './state/backend/types.js'
export { inMemoryStores } from './state/backend/memory-backend.js'
export { rocksdbStores } from './state/backend/rocksdb-backend.js'
export { StateDirectoryLockedError, UnknownStoreError, StoreNotLocalError, IncompatibleStateError, StateStoreLockedError, StateStoreOpenError, StateStoreClosedError, StateStoreIoError, StateTimestampError } from './state/errors.js'
export { ProcessingError, RecordDeserializationError, TopologyError } from './core/runtime/errors.js'
export * from './core/serde/index.js'
export { embedded, openEmbeddedLog, type EmbeddedLogOptions, type Durability } from './core/log/embedded/index.js'
export type * from './core/log/types.js'
export * from './core/log/errors.js'
export { TributaryError, ConfigError } from './core/errors.js'
export { systemClock, type Clock, type TimerHandle } from './core/clock.js'
export { ManualClock } from './core/manual-clock.js'
export { TestDriver, TestInput, TestOutput, type TestDriverOptions, type TestRecord } from './core/testing/test-driver.js'
