import { InvalidTopicNameError } from './errors.js'

const LEGAL = /^[a-zA-Z0-9._-]+$/
export const MAX_TOPIC_NAME_LENGTH = 249

/**
 * Checks a topic name against Kafka's rule, before any file-system call is made:
 * 1 to 249 characters of `[a-zA-Z0-9._-]`, and not `.` or `..`. So no name can
 * leave the data directory.
 *
 * @example
 * validateTopicName('orders')      // ok
 * validateTopicName('../etc')      // throws InvalidTopicNameError
 */
export function validateTopicName(name: unknown): asserts name is string {
  if (typeof name !== 'string') throw new InvalidTopicNameError(String(name), 'a topic name must be a string')
  if (name.length === 0) throw new InvalidTopicNameError(name, 'a topic name must not be empty')
  if (name.length > MAX_TOPIC_NAME_LENGTH) {
    throw new InvalidTopicNameError(name, `a topic name has at most ${MAX_TOPIC_NAME_LENGTH} characters, this one has ${name.length}`)
  }
  if (name === '.' || name === '..') throw new InvalidTopicNameError(name, 'a topic name cannot be "." or ".."')
  if (!LEGAL.test(name)) {
    throw new InvalidTopicNameError(name, 'only ASCII letters, digits, ".", "_" and "-" are allowed')
  }
}
