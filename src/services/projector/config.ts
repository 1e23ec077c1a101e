// Projector settings from the environment (defaults in parentheses): PROJECTOR_GROUP (projector),
// USER_EVENTS_TOPIC (user-events), ANNOUNCEMENTS_TOPIC (content-announcements), TRENDING_WINDOW_MS
// (60000), INVALIDATION_SPREAD_MS (10000: the window gradual invalidation spreads expiries over),
// LAG_INTERVAL_MS (1000), SESSION_TIMEOUT_MS (10000: how soon the partitions of a killed projector
// move to a live one).
import {envNumber, envString, type Env} from '../runtime/env.js'
import {
  readAnnouncementsTopic,
  readLagIntervalMs,
  readTrendingWindowMs,
  readUserEventsTopic,
} from '../shared-settings.js'

export interface ProjectorConfig {
  group: string
  userEventsTopic: string
  announcementsTopic: string
  trendingWindowMs: number
  invalidationSpreadMs: number
  lagIntervalMs: number
  sessionTimeoutMs: number
}

export function readProjectorConfig(env: Env): ProjectorConfig {
  return {
    group: envString(env, 'PROJECTOR_GROUP', 'projector'),
    userEventsTopic: readUserEventsTopic(env),
    announcementsTopic: readAnnouncementsTopic(env),
    trendingWindowMs: readTrendingWindowMs(env),
    invalidationSpreadMs: envNumber(env, 'INVALIDATION_SPREAD_MS', 10_000, {min: 0, integer: true}),
    lagIntervalMs: readLagIntervalMs(env),
    sessionTimeoutMs: envNumber(env, 'SESSION_TIMEOUT_MS', 10_000, {min: 1000, integer: true}),
  }
}
