// Tagging jobs, the asynchronous side of the metadata API: gateway → `tagging_jobs` → tagger. The
// message is JSON {job_id, video_id, requested_at}, with the job id as AMQP message id. The job's
// record is a Redis hash (RedisKeys.taggingJob): the gateway writes it `queued`, with its owner,
// before publishing, so the tagger always finds it; the tagger adds the outcome. A record lives
// STATUS_TTL_SECONDS after its last write, like a request's status copy.
import type {Redis} from 'ioredis'
import type {TaggingJobState, TaggingJobStatus, VideoMetadata} from '../../lib/streamflow/api.js'
import {RedisKeys} from './keys.js'
import {STATUS_TTL_SECONDS} from './request-status.js'

export const DEFAULT_TAGGING_QUEUE = 'tagging_jobs'

export interface TaggingJobMessage {
  job_id: string
  video_id: string
  /** When the gateway accepted the job, ISO 8601. */
  requested_at: string
}

export type TaggingJobOutcome =
  {status: 'completed'; labels: VideoMetadata['labels']} | {status: 'failed'; error: string}

/**
 * Writes an outcome onto an existing record only: a job whose record is gone stays gone.
 * KEYS: record. ARGV: status, field (labels|error), value, ttlSeconds. Returns 1 written, 0 absent.
 */
const FINISH_SCRIPT = `
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('HSET', KEYS[1], 'status', ARGV[1], ARGV[2], ARGV[3])
redis.call('EXPIRE', KEYS[1], tonumber(ARGV[4]))
return 1
`

export type TaggingJobRedis = Redis & {
  taggingJobFinish(key: string, status: string, field: string, value: string, ttlSeconds: number): Promise<number>
}

/** Defines the job script on a client; call it before the client's first job (see quota/quota.ts withScripts for why). */
export function withTaggingJobScripts(redis: Redis): TaggingJobRedis {
  const scripted = redis as TaggingJobRedis
  if (typeof scripted.taggingJobFinish !== 'function')
    redis.defineCommand('taggingJobFinish', {numberOfKeys: 1, lua: FINISH_SCRIPT})
  return scripted
}

/** The gateway's `queued` record of an accepted job, written before the job is published. */
export async function recordQueuedJob(redis: Redis, job: TaggingJobMessage, userId: string): Promise<void> {
  const key = RedisKeys.taggingJob(job.job_id)
  const results = await redis
    .multi()
    .hset(key, {user_id: userId, video_id: job.video_id, status: 'queued'})
    .expire(key, STATUS_TTL_SECONDS)
    .exec()
  const failed = results?.find(([error]) => error)
  if (!results || failed) throw failed?.[0] ?? new Error('the job record was not written (transaction discarded)')
}

export async function forgetJob(redis: Redis, jobId: string): Promise<void> {
  await redis.del(RedisKeys.taggingJob(jobId))
}

/** A job's status and its owner, or undefined when there is no such record. */
export async function readJob(
  redis: Redis,
  jobId: string,
): Promise<{userId: string; status: TaggingJobStatus} | undefined> {
  const record = await redis.hgetall(RedisKeys.taggingJob(jobId))
  if (!record.user_id || !record.status) return undefined
  return {
    userId: record.user_id,
    status: {
      job_id: jobId,
      video_id: record.video_id ?? '',
      status: record.status as TaggingJobState,
      ...(record.labels ? {labels: JSON.parse(record.labels) as VideoMetadata['labels']} : {}),
      ...(record.error ? {error: record.error} : {}),
    },
  }
}

/** Writes a job's outcome; false when its record is gone (expired, or its submission failed). */
export async function recordJobOutcome(
  redis: TaggingJobRedis,
  jobId: string,
  outcome: TaggingJobOutcome,
): Promise<boolean> {
  const [field, value] =
    outcome.status === 'completed' ? ['labels', JSON.stringify(outcome.labels)] : ['error', outcome.error]
  return (
    (await redis.taggingJobFinish(RedisKeys.taggingJob(jobId), outcome.status, field, value, STATUS_TTL_SECONDS)) === 1
  )
}
