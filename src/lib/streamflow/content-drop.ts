// The content-drop action: a batch of new titles, as content events, for the new-content cascade.
// Titles are made up from a fixed vocabulary so a drop exercises real embeddings and genres.
import {fnv1a} from './embedding.js'
import type {ContentEvent} from './event-types.js'

/** The genres a drop's titles fall into. */
export const GENRES = [
  'sports',
  'news',
  'comedy',
  'drama',
  'documentary',
  'music',
  'kids',
  'technology',
  'lifestyle',
  'gaming',
]
const WORDS = [
  'final',
  'live',
  'season',
  'special',
  'behind',
  'story',
  'night',
  'world',
  'inside',
  'classic',
  'new',
  'weekly',
  'best',
  'road',
  'city',
  'future',
]

/** `count` content_added events; `batchId` makes the ids unique per drop and the titles vary by it. */
export function contentDropEvents(count: number, batchId: string, now = new Date()): ContentEvent[] {
  return Array.from({length: count}, (_, index) => {
    const hash = fnv1a(`${batchId}:${index}`)
    const genre = GENRES[hash % GENRES.length]!
    const second = GENRES[(hash >>> 8) % GENRES.length]!
    const title = `${WORDS[(hash >>> 4) % WORDS.length]} ${WORDS[(hash >>> 12) % WORDS.length]} ${genre}`
    return {
      event_id: `drop-${batchId}-${index}`.slice(0, 64),
      type: 'content_added',
      content_id: `drop-${batchId}-${index}`.slice(0, 64),
      title: title[0]!.toUpperCase() + title.slice(1),
      genres: genre === second ? [genre] : [genre, second],
      tags: [WORDS[(hash >>> 16) % WORDS.length]!],
      description: `A new ${genre} title from content drop ${batchId}.`,
      ts: now.toISOString(),
    }
  })
}
