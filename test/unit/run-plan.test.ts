import {describe, expect, it} from 'vitest'
import {segmentCount} from '../../src/lib/load/arrival-curves.js'
import {planRun} from '../../src/lib/bench/plan.js'
import {parsePrometheusText} from '../../src/lib/measure/prometheus-text.js'
import {summariseGauges} from '../../src/lib/measure/gauge-scraper.js'
import {profileFrom} from '../helpers/http-servers.js'

const profile = profileFrom(`
duration: 100s
rate: 10
stages:
  - {name: warm, curve: ramp, from: 0, to: 1x, duration: 20%}
  - {name: peak, curve: constant, rate: 3x, duration: 50s}
  - {name: cool, curve: constant, rate: 5}
timeline:
  - {at: 50s, action: cache-flush}
  - {at: 90%, action: reset}
requests:
  - {name: a, method: GET, path: /}
`)

describe('planning a run from a profile', () => {
  it('lays the stages out as written', () => {
    const plan = planRun(profile)
    expect(plan.durationMs).toBe(100_000)
    expect(plan.segments.map((s) => [s.phase, s.durationMs, s.fromRate, s.toRate])).toEqual([
      ['warm', 20_000, 0, 10],
      ['peak', 50_000, 30, 30],
      ['cool', 30_000, 5, 5],
    ])
    expect(plan.timeline.map((event) => [event.action, event.atMs])).toEqual([
      ['cache-flush', 50_000],
      ['reset', 90_000],
    ])
    expect(plan.peakRate).toBe(30)
  })

  it('--duration compresses the curve and the timeline together; --rate scales every rate', () => {
    const plan = planRun(profile, {durationMs: 10_000, rate: 20})
    expect(plan.segments.map((s) => [s.durationMs, s.fromRate, s.toRate])).toEqual([
      [2000, 0, 20],
      [5000, 60, 60],
      [3000, 10, 10],
    ])
    expect(plan.timeline.map((event) => event.atMs)).toEqual([5000, 9000])
    expect(plan.segments.reduce((sum, segment) => sum + segmentCount(segment), 0)).toBe(20 + 300 + 30)
  })

  it('the seed comes from the profile unless given', () => {
    expect(planRun(profile).seed).toBe(1)
    expect(planRun(profile, {seed: 9}).seed).toBe(9)
  })
})

describe('server gauges', () => {
  it('reads the Prometheus text format and folds the stack metrics', () => {
    const samples = parsePrometheusText(`# HELP streamctl_queue_depth depth
# TYPE streamctl_queue_depth gauge
streamctl_queue_depth{queue="inference_requests"} 12
streamctl_queue_depth{queue="inference_results"} 3
streamctl_consumer_lag{group="projector",topic="user-events",partition="0"} 5
streamctl_consumer_lag{group="projector",topic="user-events",partition="1"} 7
streamctl_cache_hits_total{cache="recs"} 80
streamctl_cache_misses_total{cache="recs"} 20
streamctl_breaker_state{breaker="llm"} 1
other_metric{label="a \\"quoted\\" value"} 1.5e3
`)
    expect(samples.at(-1)).toEqual({name: 'other_metric', labels: {label: 'a "quoted" value'}, value: 1500})
    expect(summariseGauges(samples)).toEqual({
      'queue_depth.inference_requests': 12,
      'queue_depth.inference_results': 3,
      'consumer_lag.projector': 12,
      cache_hits_total: 80,
      cache_misses_total: 20,
      'breaker_state.llm': 1,
    })
  })
})
