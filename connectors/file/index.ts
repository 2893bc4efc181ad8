/**
 * The file connectors: `file-source` reads and follows a JSON-lines or CSV file, `file-sink`
 * writes records to rolling files. See README.md beside this file for their settings.
 *
 * @example
 * import { fileSource, fileSink } from 'tributary/connectors/file'
 */
export { fileSource, type FileSourceConfig } from './file-source.js'
export { fileSink, type FileSinkConfig } from './file-sink.js'
