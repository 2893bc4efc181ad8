/**
 * Property tests are deterministic: every `fc.assert` without a seed of its own runs from this
 * one, so a failure in CI is the same failure on a laptop. Change it to explore other inputs.
 */
import fc from 'fast-check'

fc.configureGlobal({ seed: 20261126 })
