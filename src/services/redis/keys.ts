// The layout of the stack's Redis keys (all under REDIS_KEY_PREFIX, added by the client). One place
// so services, `status` and `bench` agree, and the cache flush can find every cache entry.
export const RedisKeys = {
  /** Hash of switch name → JSON value (see runtime/switches.ts). */
  switches: 'switches',
  /** Pub/sub channel announcing switch changes (prefix added with channelName()). */
  switchesChannel: 'switches:changed',
  /** Every cache entry starts with this; the cache-flush action deletes them all. */
  cachePrefix: 'cache:',
  cache: (name: string, key: string) => `cache:${name}:${key}`,
  /** Token bucket of an API key's request rate. */
  rateLimit: (keyId: string) => `ratelimit:${keyId}`,
  /** Quota counters of a user for a period (`d:2026-11-25` or `m:2026-11`). Hash: requests, tokens, reserved. */
  quota: (userId: string, period: string) => `quota:${userId}:${period}`,
  /** JSON copy of a request's status (see request-status.ts). */
  requestStatus: (requestId: string) => `request:${requestId}`,
  /** Hash of a tagging job: owner, video, status, labels or error (see tagging-job-record.ts). */
  taggingJob: (jobId: string) => `tagging-job:${jobId}`,
  /** Hash request id → reserved estimate, for requests reserved and not settled yet. */
  openReservations: 'quota:open',
  /** Sorted set of admitted requests RabbitMQ has not confirmed yet, scored by admission time (ms). */
  pendingDispatch: 'dispatch:pending',
  /**
   * What became of an admission whose store was in doubt: `stored` (a slow store, confirmed: never
   * refunded) or `abandoned` (the store failed after the INSERT was sent: the sweeper drops the row if
   * it was committed after all, then refunds). See quota/quota.ts confirmStored and abandonAdmission.
   */
  admissionOutcome: (requestId: string) => `admission:${requestId}`,
} as const
