// Content pipeline settings from the environment (defaults in parentheses): CONTENT_PIPELINE_GROUP
// (content-pipeline), CONTENT_EVENTS_TOPIC (content-events), ANNOUNCEMENTS_TOPIC
// (content-announcements) and LAG_INTERVAL_MS (1000).
import {envString, type Env} from '../runtime/env.js'
import {readAnnouncementsTopic, readContentEventsTopic, readLagIntervalMs} from '../shared-settings.js'

export interface ContentPipelineConfig {
  group: string
  contentEventsTopic: string
  announcementsTopic: string
  lagIntervalMs: number
}

export function readContentPipelineConfig(env: Env): ContentPipelineConfig {
  return {
    group: envString(env, 'CONTENT_PIPELINE_GROUP', 'content-pipeline'),
    contentEventsTopic: readContentEventsTopic(env),
    announcementsTopic: readAnnouncementsTopic(env),
    lagIntervalMs: readLagIntervalMs(env),
  }
}
