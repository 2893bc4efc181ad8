/**
 * Tributary's connectors: the plugin API (`defineSource`, `defineSink`, `field`, `Secret`),
 * the runner that makes any connector reliable, and the built-in connectors.
 *
 * @example
 * import { defineSource, field } from 'tributary/connectors'
 */
export { defineSource, defineSink } from './api/define.js'
export { field, parseConfig, describeConfig, type Field, type ConfigSchema, type ConfigOf, type ConfigInput, type SecretInput } from './api/config-schema.js'
export { Secret, redact } from './api/secret.js'
export { ConnectorError, RecordRejectedError } from './api/errors.js'
export type * from './api/types.js'
export * from './runner/index.js'
// The built-in connectors (also loadable by name in a `tributary connect` config).
export { httpSource, httpSink } from './http/index.js'
export { datagenSource } from './datagen/index.js'
export { logMirrorSink } from './log-mirror/index.js'
export { fileSource, fileSink } from './file/index.js'
export { stdinSource, stdoutSink, readableSource, writableSink } from './stdio/index.js'
export { postgresSource, postgresSink } from './postgres/index.js'
