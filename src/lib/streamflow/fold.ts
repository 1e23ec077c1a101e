// The projector's fold: a batch of user events becomes one delta to the read models (profiles,
// genre affinity and trending counts in tumbling windows). Pure: the genres of content come in as
// a lookup, and applying the delta to PostgreSQL is the store's job.
import type {UserEvent} from './event-types.js'

export interface ProfileDelta {
  views: number
  likes: number
  searches: number
  recommendation_requests: number
  watch_seconds: number
  /** The latest event time seen, RFC 3339. */
  last_event_at: string
}

export interface TrendingDelta {
  windowStart: string
  contentId: string
  views: number
  likes: number
}

export interface ReadModelDelta {
  profiles: Map<string, ProfileDelta>
  /** user → genre → added affinity. */
  affinity: Map<string, Map<string, number>>
  /** keyed by `${windowStart}|${contentId}`. */
  trending: Map<string, TrendingDelta>
  events: number
}

/** Affinity a view adds to each genre of the item: 1, plus up to 2 more for long watches. */
export function viewAffinity(watchSeconds = 0): number {
  return 1 + Math.min(2, Math.max(0, watchSeconds) / 600)
}
export const LIKE_AFFINITY = 3

/** Start of the tumbling window of `windowMs` that holds `ts`. */
export function windowStart(ts: string, windowMs: number): string {
  const ms = Date.parse(ts)
  return new Date(Math.floor(ms / windowMs) * windowMs).toISOString()
}

export function emptyDelta(): ReadModelDelta {
  return {profiles: new Map(), affinity: new Map(), trending: new Map(), events: 0}
}

export function foldUserEvents(
  events: readonly UserEvent[],
  genresOf: ReadonlyMap<string, readonly string[]>,
  windowMs: number,
): ReadModelDelta {
  const delta = emptyDelta()
  const seen = new Set<string>()
  for (const event of events) {
    // A duplicate produce of the same event inside one batch counts once.
    if (seen.has(event.event_id)) continue
    seen.add(event.event_id)
    foldOne(delta, event, genresOf, windowMs)
  }
  return delta
}

function foldOne(
  delta: ReadModelDelta,
  event: UserEvent,
  genresOf: ReadonlyMap<string, readonly string[]>,
  windowMs: number,
): void {
  delta.events++
  const profile = profileOf(delta, event.user_id, event.ts)
  if (Date.parse(event.ts) > Date.parse(profile.last_event_at)) profile.last_event_at = event.ts
  switch (event.type) {
    case 'view':
      profile.views++
      profile.watch_seconds += event.watch_seconds ?? 0
      addAffinity(delta, event.user_id, genresOf.get(event.content_id!) ?? [], viewAffinity(event.watch_seconds))
      trendingOf(delta, event.content_id!, windowStart(event.ts, windowMs)).views++
      break
    case 'like':
      profile.likes++
      addAffinity(delta, event.user_id, genresOf.get(event.content_id!) ?? [], LIKE_AFFINITY)
      trendingOf(delta, event.content_id!, windowStart(event.ts, windowMs)).likes++
      break
    case 'search':
      profile.searches++
      break
    case 'recommendation_request':
      profile.recommendation_requests++
      break
  }
}

function profileOf(delta: ReadModelDelta, userId: string, ts: string): ProfileDelta {
  let profile = delta.profiles.get(userId)
  if (!profile) {
    profile = {views: 0, likes: 0, searches: 0, recommendation_requests: 0, watch_seconds: 0, last_event_at: ts}
    delta.profiles.set(userId, profile)
  }
  return profile
}

function addAffinity(delta: ReadModelDelta, userId: string, genres: readonly string[], amount: number): void {
  if (genres.length === 0) return
  let byGenre = delta.affinity.get(userId)
  if (!byGenre) delta.affinity.set(userId, (byGenre = new Map()))
  for (const genre of genres) byGenre.set(genre, (byGenre.get(genre) ?? 0) + amount)
}

function trendingOf(delta: ReadModelDelta, contentId: string, start: string): TrendingDelta {
  const key = `${start}|${contentId}`
  let entry = delta.trending.get(key)
  if (!entry) delta.trending.set(key, (entry = {windowStart: start, contentId, views: 0, likes: 0}))
  return entry
}

/** The content ids a batch refers to, whose genres the fold needs. */
export function contentIdsOf(events: readonly UserEvent[]): string[] {
  return [
    ...new Set(
      events.flatMap((event) =>
        event.content_id && (event.type === 'view' || event.type === 'like') ? [event.content_id] : [],
      ),
    ),
  ]
}
