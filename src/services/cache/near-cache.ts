// A near cache: a bounded in-process copy of the Redis string keys under one prefix, kept coherent
// by Redis's server-assisted client-side caching. A connection of its own turns on
// `CLIENT TRACKING ON REDIRECT <itself> BCAST PREFIX <prefix>` and subscribes to
// __redis__:invalidate, so every write, delete, expiry or flush of a key under the prefix, by any
// client, drops the local copy. Redis sends those messages in the same event-loop pass as the
// writer's reply, so a request that another process makes after a write no longer sees the old value.
//
// What it does not trust:
// - a value read from Redis is kept only if no invalidation of its key arrived while the read was
//   in flight (an invalidation can overtake a reply, as they travel on different connections);
// - while the tracking connection is down (or was never up), nothing is kept and every read goes
//   to Redis; when it comes back the local copy starts empty;
// - a local copy lives no longer than the key's TTL in Redis (PTTL read with the value).
// With maxEntries 0 it is a plain Redis GET.
import type {Redis} from 'ioredis'
import type {Logger} from '../telemetry/log.js'

const INVALIDATE_CHANNEL = '__redis__:invalidate'

export interface NearCacheOptions<T> {
  /** The data connection; its keyPrefix (REDIS_KEY_PREFIX) is applied to every key, as ioredis does. */
  redis: Redis
  /** Keys this cache may hold, relative to the keyPrefix, e.g. `cache:recommendations:`. */
  prefix: string
  /** Entries kept (least recently used evicted first); 0 turns the near cache off. */
  maxEntries: number
  /** Turns the stored string into what callers get, once per fill rather than once per hit. */
  decode: (text: string) => T
  log: Logger
}

export interface NearRead<T> {
  value: T
  /** `near`: served from this process; `redis`: read from Redis (and kept if it was safe to). */
  source: 'near' | 'redis'
}

interface Entry<T> {
  value: T
  expiresAt: number
}

export class NearCache<T> {
  private readonly entries = new Map<string, Entry<T>>()
  /** Keys with a Redis read in flight, and whether an invalidation (or tracking going off) came meanwhile. */
  private readonly reading = new Map<string, {readers: number; stale: boolean}>()
  private readonly keyPrefix: string
  private tracker: Redis | undefined
  /** True while tracking is on: only then may entries be kept or served. */
  private tracking = false

  constructor(private readonly options: NearCacheOptions<T>) {
    this.keyPrefix = options.redis.options.keyPrefix ?? ''
    if (options.maxEntries > 0) this.startTracking()
  }

  /** Whether values are being kept in this process now. */
  get live(): boolean {
    return this.tracking
  }

  get size(): number {
    return this.entries.size
  }

  async read(key: string): Promise<NearRead<T> | undefined> {
    if (!key.startsWith(this.options.prefix)) throw new Error(`near cache for ${this.options.prefix}* asked for ${key}`)
    if (!this.tracking) {
      const text = await this.options.redis.get(key)
      return text === null ? undefined : {value: this.options.decode(text), source: 'redis'}
    }
    const absolute = this.keyPrefix + key
    const entry = this.entries.get(absolute)
    if (entry) {
      this.entries.delete(absolute)
      if (entry.expiresAt > Date.now()) {
        this.entries.set(absolute, entry) // most recently used last
        return {value: entry.value, source: 'near'}
      }
    }
    return this.fill(key, absolute)
  }

  private async fill(key: string, absolute: string): Promise<NearRead<T> | undefined> {
    let reading = this.reading.get(absolute)
    if (!reading) this.reading.set(absolute, (reading = {readers: 0, stale: false}))
    reading.readers++
    try {
      const results = await this.options.redis.pipeline().get(key).pttl(key).exec()
      const [[readError, text], [ttlError, ttl]] = results as [[Error | null, string | null], [Error | null, number]]
      if (readError) throw readError
      if (text === null) return undefined
      const value = this.options.decode(text)
      // PTTL -2: gone since the GET; -1: no expiry. Stale also when tracking went off meanwhile (off()).
      if (!ttlError && ttl !== -2 && !reading.stale) {
        this.entries.set(absolute, {value, expiresAt: ttl === -1 ? Number.POSITIVE_INFINITY : Date.now() + ttl})
        if (this.entries.size > this.options.maxEntries) this.entries.delete(this.entries.keys().next().value!)
      }
      return {value, source: 'redis'}
    } finally {
      if (--reading.readers === 0) this.reading.delete(absolute)
    }
  }

  async close(): Promise<void> {
    this.off()
    const tracker = this.tracker
    this.tracker = undefined
    if (tracker) await tracker.quit().catch(() => tracker.disconnect())
  }

  private startTracking(): void {
    const {log} = this.options
    // Same server, credentials and database as the data connection; keys in messages are absolute.
    // Named, so `CLIENT LIST` shows which prefix a tracking connection serves.
    const tracker = this.options.redis.duplicate({
      keyPrefix: '',
      connectionName: `near-cache:${this.keyPrefix}${this.options.prefix}`,
      autoResubscribe: false,
      lazyConnect: true,
      enableAutoPipelining: false,
      maxRetriesPerRequest: null,
    })
    this.tracker = tracker
    let warned = false
    tracker.on('error', (error: Error) => {
      if (warned) return
      warned = true
      log.warn('near cache: tracking connection failed; reads go to Redis until it is back', {error: error.message})
    })
    tracker.on('close', () => this.off())
    tracker.on('ready', () => {
      warned = false
      this.track(tracker).catch((error: Error) => {
        // The connection dropped meanwhile: the next 'ready' tries again.
        if (error.name !== 'ReplyError') return
        // Redis refused (older than 6, or an ACL without CLIENT): stay a plain GET, do not retry forever.
        log.warn('near cache off: cannot turn on client tracking', {error: error.message})
        if (this.tracker === tracker) this.tracker = undefined
        tracker.disconnect()
      })
    })
    tracker.on('messageBuffer', (channel: Buffer, message: unknown) => {
      if (channel.toString() === INVALIDATE_CHANNEL) this.invalidate(message)
    })
    tracker.connect().catch(() => {}) // ioredis keeps reconnecting; 'error' says why once
  }

  private async track(tracker: Redis): Promise<void> {
    const id = (await tracker.client('ID')) as number
    await tracker.call(
      'CLIENT',
      'TRACKING',
      'ON',
      'REDIRECT',
      String(id),
      'BCAST',
      'PREFIX',
      this.keyPrefix + this.options.prefix,
    )
    await tracker.subscribe(INVALIDATE_CHANNEL)
    // Closed (no tracker), or replaced or dropped meanwhile: not this connection's to turn on.
    if (this.tracker !== tracker || tracker.status !== 'ready') return
    this.tracking = true
    this.options.log.info('near cache on', {
      prefix: this.keyPrefix + this.options.prefix,
      max_entries: this.options.maxEntries,
    })
  }

  /** Invalidation message: the keys changed, or null when the database was flushed. */
  private invalidate(message: unknown): void {
    if (!Array.isArray(message)) {
      this.entries.clear()
      for (const reading of this.reading.values()) reading.stale = true
      return
    }
    for (const key of message as Buffer[]) {
      const absolute = key.toString()
      this.entries.delete(absolute)
      const reading = this.reading.get(absolute)
      if (reading) reading.stale = true
    }
  }

  /** Tracking is off (connection lost, or closing): keep nothing, serve nothing from here. */
  private off(): void {
    this.tracking = false
    this.entries.clear()
    for (const reading of this.reading.values()) reading.stale = true
  }
}
