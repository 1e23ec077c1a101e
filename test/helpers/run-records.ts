// Run records built with the load engine's own recorder from given latencies, for the pure report
// logic (merge, compare, hlog, renderers): the histograms are the real HdrHistogram encodings.
import {RunRecorder} from '../../src/lib/measure/series-recorder.js'
import type {VariantData} from '../../src/lib/measure/run-data.js'
import {RUN_RECORD_SCHEMA_VERSION, type RunRecord} from '../../src/lib/report/run-record.js'
import {evaluateTargets} from '../../src/lib/sla/evaluate.js'
import {readSlaTargets} from '../../src/lib/sla/targets.js'
import {YamlSource} from '../../src/lib/yaml/source.js'

/** A seeded generator of log-normal latencies (ms) around `medianMs`. */
export function latencies(count: number, medianMs: number, seed: number): number[] {
  let state = seed >>> 0 || 1
  const uniform = () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0
    return (state + 0.5) / 2 ** 32
  }
  return Array.from(
    {length: count},
    () => medianMs * Math.exp(0.35 * Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform())),
  )
}

export function slaTargets(yaml: string) {
  const source = new YamlSource('sla.yaml', yaml)
  return readSlaTargets(source, source.value(), [])
}

/**
 * One variant recording `series` (name → latencies) spread over 1 s intervals; every 50th fails with a 5xx when `failEvery` is set.
 * `offeredPerSecond` originals are offered in each interval (none unless set).
 */
export function recordRun(
  series: Record<string, number[]>,
  options: {
    profile?: string
    sla?: string
    intervals?: number
    failEvery?: number
    shard?: {index: number; count: number}
    offeredPerSecond?: number
  } = {},
): RunRecord {
  const recorder = new RunRecorder()
  const intervals = options.intervals ?? 5
  for (let interval = 0; interval < intervals; interval++) {
    for (const [name, values] of Object.entries(series)) {
      const handle = recorder.series(name, 'steady')
      const share = values.filter((_, index) => index % intervals === interval)
      share.forEach((value, index) => {
        const fails = options.failEvery !== undefined && index % options.failEvery === 0
        handle.send(false, false)
        handle.attempt(value, fails ? 'http5xx' : undefined)
        handle.outcome(value, fails ? 'http5xx' : undefined)
      })
    }
    for (let offer = 0; offer < (options.offeredPerSecond ?? 0); offer++) recorder.offer()
    recorder.closeInterval((interval + 1) * 1000, 0)
  }
  const variant: VariantData = {
    name: 'default',
    startedAt: '2026-11-25T01:00:00.000Z',
    durationMs: intervals * 1000,
    settings: {},
    totals: recorder.totalsData(),
    phases: recorder.phasesData(),
    intervals: recorder.intervals,
    timeline: [{atMs: 2000, firedAtMs: 2003, action: 'cache-flush', ok: true}],
    amplification: 1,
    goodput: 0,
    sendLag: recorder.sendLagSummary(),
    abandoned: 0,
    stoppedEarly: false,
    gauges: [1000, 2000, 3000].map((atMs, index) => ({
      atMs,
      values: {'queue.depth': index * 3, 'cache.hit_rate': 0.5 + index / 10},
    })),
  }
  const targets = slaTargets(options.sla ?? 'errors: rate<1%\n')
  return {
    schemaVersion: RUN_RECORD_SCHEMA_VERSION,
    loadDataVersion: 1,
    profile: options.profile ?? 'synthetic',
    target: 'http://127.0.0.1:1',
    model: 'open',
    seed: 7,
    ...(options.shard ? {shard: options.shard} : {}),
    startedAt: '2026-11-25T01:00:00.000Z',
    finishedAt: '2026-11-25T01:00:05.000Z',
    durationMs: intervals * 1000,
    variants: [variant],
    meta: {streamctl: 'test', node: process.version, host: 'test'},
    sla: evaluateTargets(targets, [variant], undefined, 'sla.yaml'),
  }
}
