import { describe, expect, test } from 'vitest'
import { ConfigError } from '../../index.js'
import { isLive, isReady, observeOptionsFromEnv, resolveObserveOptions } from '../../core/observe/index.js'
import { canMove } from '../../core/runtime/app-state.js'
import { RateMeter } from '../../core/runtime/rate-meter.js'
import { SampleWindow } from '../../core/runtime/sample-window.js'

describe('observe options', () => {
  test('TRIBUTARY_DASHBOARD_PORT serves the dashboard, TRIBUTARY_METRICS_PORT metrics and health only', () => {
    expect(observeOptionsFromEnv({ TRIBUTARY_DASHBOARD_PORT: '8080' })).toEqual({ port: 8080, dashboard: true })
    expect(observeOptionsFromEnv({ TRIBUTARY_METRICS_PORT: '9464' })).toEqual({ port: 9464, dashboard: false })
    expect(observeOptionsFromEnv({ TRIBUTARY_METRICS_PORT: '8080', TRIBUTARY_DASHBOARD_PORT: '8080' })).toEqual({ port: 8080, dashboard: true })
    expect(observeOptionsFromEnv({})).toBeUndefined()
  })

  test('a port that is not a port, or two different ports, is a ConfigError naming the variable', () => {
    expect(() => observeOptionsFromEnv({ TRIBUTARY_DASHBOARD_PORT: 'eighty' })).toThrow(ConfigError)
    expect(() => observeOptionsFromEnv({ TRIBUTARY_DASHBOARD_PORT: '70000' })).toThrow(/TRIBUTARY_DASHBOARD_PORT/)
    expect(() => observeOptionsFromEnv({ TRIBUTARY_METRICS_PORT: '1', TRIBUTARY_DASHBOARD_PORT: '2' })).toThrow(/differ/)
    expect(() => resolveObserveOptions({ port: -1 })).toThrow(/observe.port/)
  })

  test('the server listens on 127.0.0.1 with the dashboard unless told otherwise', () => {
    expect(resolveObserveOptions({ port: 0 })).toEqual({ port: 0, host: '127.0.0.1', dashboard: true, fromEnvironment: false })
  })
})

describe('app states', () => {
  test('alive unless failed or stopped; ready only when running', () => {
    expect(['CREATED', 'REBALANCING', 'RESTORING', 'RUNNING', 'PENDING_SHUTDOWN'].every((state) => isLive(state as never))).toBe(true)
    expect(isLive('ERROR') || isLive('NOT_RUNNING')).toBe(false)
    expect(isReady('RUNNING')).toBe(true)
    expect(isReady('RESTORING') || isReady('REBALANCING')).toBe(false)
  })

  test('a stopping app does not go back to RUNNING, and a stopped or failed one stays so', () => {
    expect(canMove('REBALANCING', 'RUNNING')).toBe(true)
    expect(canMove('PENDING_SHUTDOWN', 'RUNNING')).toBe(false)
    expect(canMove('PENDING_SHUTDOWN', 'NOT_RUNNING')).toBe(true)
    expect(canMove('ERROR', 'RUNNING')).toBe(false)
    expect(canMove('NOT_RUNNING', 'REBALANCING')).toBe(false)
  })
})

describe('sampled figures', () => {
  test('quantiles are of the samples kept, nearest rank', () => {
    const samples = new SampleWindow(100)
    for (let i = 1; i <= 100; i++) samples.add(i)
    expect([samples.quantile(0.5), samples.quantile(0.99), samples.count, samples.sum]).toEqual([50, 99, 100, 5050])
    for (let i = 0; i < 100; i++) samples.add(1_000)
    expect(samples.quantile(0.5)).toBe(1_000)
    expect(new SampleWindow(4).quantile(0.5)).toBe(0)
  })

  test('a rate is the growth over the window of readings', () => {
    const meter = new RateMeter(10_000)
    expect(meter.rate(0, 0)).toBe(0)
    expect(meter.rate(1_000, 500)).toBe(500)
    expect(meter.rate(2_000, 1_000)).toBe(500)
    // Readings older than the window drop out.
    expect(meter.rate(20_000, 1_000)).toBe(0)
  })
})
