// The scraped server figures are of two kinds: gauges, a level at the moment of the scrape (queue
// depth, in-flight requests, breaker state), and counters, which only grow (cache hits, shed
// requests). A counter's level is the whole history of the process; what it says about the run is
// how fast it grows, so reports show its rate, as Prometheus's rate() does.
import type {GaugeSample} from './gauge-scraper.js'

/** A figure the scraper named after a Prometheus counter: `<name>_total`, possibly with a label (`shed_total`, `cache_hits_total`). */
export function isCounter(key: string): boolean {
  return key.split('.')[0]!.endsWith('_total')
}

/**
 * Per-second rate of counter `key` between each pair of successive samples that have it, at the later
 * sample's time. A counter that went down was reset (its process restarted), so its increase over
 * that step is its new value, as in Prometheus.
 */
export function counterRate(samples: readonly GaugeSample[], key: string): Array<{atMs: number; perSecond: number}> {
  const points = samples.filter((sample) => sample.values[key] !== undefined)
  const rates: Array<{atMs: number; perSecond: number}> = []
  for (let index = 1; index < points.length; index++) {
    const before = points[index - 1]!
    const after = points[index]!
    const seconds = (after.atMs - before.atMs) / 1000
    if (seconds <= 0) continue
    const increase =
      after.values[key]! >= before.values[key]! ? after.values[key]! - before.values[key]! : after.values[key]!
    rates.push({atMs: after.atMs, perSecond: increase / seconds})
  }
  return rates
}
