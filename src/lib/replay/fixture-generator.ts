// Deterministic recordings for replay tests and benches: one day of user events from a Zipf-skewed
// population over a Zipf-skewed catalogue, with the StreamFlow day shape — quiet at night, a
// morning rise, and the 8–11 PM peak at 3× the daytime rate. Same options, same bytes.
import {SeededRandom} from '../random/seeded.js'
import {ZipfSampler} from '../load/zipf.js'
import type {UserEvent, UserEventType} from '../streamflow/event-types.js'

export interface FixtureOptions {
  events: number
  users: number
  /** Content ids are `${contentPrefix}${0..content-1}`: by default those `contentDropEvents(n, 'catalogue')` stores. */
  content: number
  contentPrefix?: string
  /** The day, YYYY-MM-DD (UTC). */
  day: string
  seed: number
}

export const DEFAULT_FIXTURE: FixtureOptions = {events: 1000, users: 200, content: 50, day: '2026-11-24', seed: 1}

/** Relative event rate per UTC hour: night, morning, day, the 20:00–23:00 peak at 3×. */
export const HOURLY_RATE = [
  0.3, 0.2, 0.15, 0.15, 0.2, 0.3, 0.5, 0.8, 0.9, 1, 1, 1, 1.1, 1, 1, 1, 1.1, 1.3, 1.6, 2, 3, 3, 3, 1.2,
]

const TYPES: Array<[UserEventType, number]> = [
  ['view', 0.62],
  ['like', 0.12],
  ['search', 0.14],
  ['recommendation_request', 0.12],
]
const QUERIES = [
  'football',
  'late night news',
  'comedy specials',
  'nature documentary',
  'live music',
  'kids cartoons',
  'tech reviews',
  'cooking',
]

export function generateDay(options: FixtureOptions): UserEvent[] {
  const dayStart = Date.parse(`${options.day}T00:00:00.000Z`)
  if (Number.isNaN(dayStart)) throw new Error(`day ${options.day} is not YYYY-MM-DD`)
  const times = new SeededRandom(options.seed, 'times')
  const picks = new SeededRandom(options.seed, 'picks')
  const users = new ZipfSampler(options.users, 1.0)
  const content = new ZipfSampler(options.content, 1.1)
  const cumulative = cumulate(HOURLY_RATE)
  const stamps = Array.from({length: options.events}, () => {
    const u = times.next()
    const hour = cumulative.findIndex((edge) => u < edge)
    return dayStart + hour * 3_600_000 + Math.floor(times.next() * 3_600_000)
  }).sort((a, b) => a - b)
  const prefix = options.contentPrefix ?? 'drop-catalogue-'
  return stamps.map((stamp, index): UserEvent => {
    const type = weighted(picks)
    const base = {
      event_id: `evt-${options.seed}-${String(index).padStart(8, '0')}`,
      type,
      user_id: `user-${String(users.sample(picks) + 1).padStart(6, '0')}`,
      ts: new Date(stamp).toISOString(),
    }
    if (type === 'view')
      return {...base, content_id: `${prefix}${content.sample(picks)}`, watch_seconds: picks.int(5, 3600)}
    if (type === 'like') return {...base, content_id: `${prefix}${content.sample(picks)}`}
    if (type === 'search') return {...base, query: picks.pick(QUERIES)}
    return base
  })
}

function cumulate(weights: readonly number[]): number[] {
  const total = weights.reduce((sum, weight) => sum + weight, 0)
  let running = 0
  return weights.map((weight, index) => (index === weights.length - 1 ? 1.000_000_1 : (running += weight / total)))
}

function weighted(random: SeededRandom): UserEventType {
  let draw = random.next()
  for (const [type, weight] of TYPES) {
    draw -= weight
    if (draw < 0) return type
  }
  return 'view'
}
