// The events of the read side: user events (stacks/reference/schemas/user-event.schema.json),
// content events (content-event.schema.json) and the content pipeline's announcements.
export type UserEventType = 'view' | 'like' | 'search' | 'recommendation_request'

export interface UserEvent {
  event_id: string
  type: UserEventType
  user_id: string
  content_id?: string
  query?: string
  watch_seconds?: number
  /** RFC 3339. */
  ts: string
}

/** The content event of content-event.schema.json, as the content pipeline reads it. */
export interface ContentEvent {
  event_id: string
  type: 'content_added' | 'content_updated' | 'content_removed'
  content_id: string
  title?: string
  genres?: string[]
  tags?: string[]
  description?: string
  ts: string
}

/** What the content pipeline announces on `content-announcements` after storing a batch. */
export interface ContentAnnouncement {
  type: 'content_changed'
  content_ids: string[]
  ts: string
}
