// Backlogs that grew during a run: a queue (`queue_depth.<queue>`) or a consumer group's lag
// (`consumer_lag.<group>`), read from the server gauges scraped each interval. A queue whose
// consumers fall behind makes everything that waits on it slower the longer the run goes (the
// end-to-end time of a generate, and, with RabbitMQ, the gateway's own acceptance: see the README's
// Benchmarks), so a report says so rather than leave it to a chart.
import type {GaugeSample} from './gauge-scraper.js'

export interface Backlog {
  /** `queue` for a queue's depth, `lag` for a consumer group's lag. */
  kind: 'queue' | 'lag'
  name: string
  /** The first and the last value scraped. */
  from: number
  to: number
  /** How fast it grew: from the first value to the first time it reached its highest. */
  perSecond: number
}

/** A backlog counts as grown when its last quarter averages at least this many messages… */
const BACKLOG_MIN = 100
/** …and at least twice its first quarter. */
const BACKLOG_FACTOR = 2
/** Fewer samples than this say nothing about a trend. */
const MIN_SAMPLES = 4

export function grownBacklogs(gauges: readonly GaugeSample[]): Backlog[] {
  const keys = [...new Set(gauges.flatMap((sample) => Object.keys(sample.values)))]
    .filter((key) => key.startsWith('queue_depth.') || key.startsWith('consumer_lag.'))
    .sort()
  const grown: Backlog[] = []
  for (const key of keys) {
    const points = gauges
      .filter((sample) => sample.values[key] !== undefined)
      .map((sample) => ({atMs: sample.atMs, value: sample.values[key]!}))
    if (points.length < MIN_SAMPLES) continue
    const quarter = Math.max(1, Math.floor(points.length / 4))
    const mean = (part: typeof points) => part.reduce((sum, point) => sum + point.value, 0) / part.length
    // Judged on the first and last quarters, so one odd scrape at either end decides nothing.
    const early = mean(points.slice(0, quarter))
    const late = mean(points.slice(-quarter))
    if (late < BACKLOG_MIN || late < BACKLOG_FACTOR * early) continue
    const first = points[0]!
    const peak = points.reduce((highest, point) => (point.value > highest.value ? point : highest))
    const seconds = (peak.atMs - first.atMs) / 1000
    grown.push({
      kind: key.startsWith('queue_depth.') ? 'queue' : 'lag',
      name: key.slice(key.indexOf('.') + 1),
      from: first.value,
      to: points.at(-1)!.value,
      perSecond: seconds > 0 ? (peak.value - first.value) / seconds : 0,
    })
  }
  return grown
}

/** One line per grown backlog, for the terminal and Markdown reports. */
export function describeBacklog(backlog: Backlog): string {
  const [what, unit] =
    backlog.kind === 'queue'
      ? [`queue ${backlog.name} grew`, 'messages']
      : [`consumer group ${backlog.name}'s lag grew`, 'records']
  const rate = backlog.perSecond > 0 ? ` (about +${formatCount(backlog.perSecond)}/s while it grew)` : ''
  return `backlog: ${what} from ${formatCount(backlog.from)} to ${formatCount(backlog.to)} ${unit} during the run${rate}: its consumers did not keep up, so whatever waits on it slows the longer the run goes`
}

const formatCount = (value: number) => Math.round(value).toLocaleString('en-US')
