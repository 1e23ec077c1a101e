// The tagger's asynchronous side: consumes the tagging-jobs queue and classifies each job exactly as
// GenerateMetadata does (catalogue lookup included), writes `completed` and the labels onto the job's
// Redis record, then acks. A message that is not a job is dead-lettered; a job for an invalid video
// id is recorded `failed` and dead-lettered; a failed Redis write puts the job back on the queue.
//
// It connects in the background: the tagger serves gRPC and is ready while RabbitMQ (or Redis) is
// unreachable, and this side keeps retrying with backoff (retryUntil: Redis here, the channel in
// consumeQueue; a try that hangs gives up after 10 s), logging a warning for every failed try.
import {setTimeout as sleep} from 'node:timers/promises'
import type {ConsumeMessage} from 'amqplib'
import {ID_FORMAT} from '../http/validate.js'
import {retryUntil} from '../runtime/backoff.js'
import {consumeQueue, parseJsonMessage, type Disposition} from '../amqp/queue-consumer.js'
import type {ServiceRuntime} from '../runtime/service-runtime.js'
import {
  recordJobOutcome,
  withTaggingJobScripts,
  type TaggingJobMessage,
  type TaggingJobOutcome,
  type TaggingJobRedis,
} from '../redis/tagging-job-record.js'
import {generateMetadata, type VideoMetadataSource} from './grpc-server.js'

/** How a job ended, as counted in streamctl_tagging_jobs_total{outcome}. */
export type JobOutcome = 'completed' | 'failed' | 'malformed' | 'expired' | 'requeued'

export interface TaggingJobsOptions {
  queue: string
  prefetch: number
  lookup?: VideoMetadataSource | undefined
  onOutcome: (outcome: JobOutcome) => void
  /** Backoff of the connect retries (full jitter between attempts). */
  retryBaseMs?: number
  retryMaxMs?: number
  /** How long a job whose record could not be written waits before going back on the queue. */
  requeueDelayMs?: number
}

/** Starts connecting in the background and returns at once; the consumer drains on runtime close. */
export function consumeTaggingJobs(runtime: ServiceRuntime, options: TaggingJobsOptions): void {
  const {log, metrics} = runtime
  const {queue, prefetch} = options
  const retryBaseMs = options.retryBaseMs ?? 500
  const retryMaxMs = options.retryMaxMs ?? 5000
  const requeueDelayMs = options.requeueDelayMs ?? 1000

  const handle = async (message: ConsumeMessage, redis: TaggingJobRedis): Promise<Disposition> => {
    const job = parseJsonMessage<Partial<TaggingJobMessage>>(message)
    if (!job || typeof job.job_id !== 'string' || job.job_id === '' || typeof job.video_id !== 'string') {
      log.warn('malformed tagging job dead-lettered', {message_id: message.properties.messageId})
      options.onOutcome('malformed')
      return 'dead-letter'
    }
    const outcome = await classifyJob(job.video_id, options.lookup)
    let recorded: boolean
    try {
      recorded = await recordJobOutcome(redis, job.job_id, outcome)
    } catch (error) {
      log.warn('cannot record a tagging job; it goes back on the queue', {
        job_id: job.job_id,
        error: (error as Error).message,
      })
      options.onOutcome('requeued')
      await sleep(requeueDelayMs)
      return 'requeue'
    }
    if (!recorded) {
      log.warn('tagging job has no record (expired, or its submission failed): nothing written', {job_id: job.job_id})
      options.onOutcome('expired')
      return 'ack'
    }
    options.onOutcome(outcome.status)
    if (outcome.status === 'failed')
      log.warn('tagging job failed; dead-lettered', {job_id: job.job_id, error: outcome.error})
    return outcome.status === 'failed' ? 'dead-letter' : 'ack'
  }

  // One warning for both stores, with the try it is and why it failed.
  const notReachable = (attempt: number, error: Error) =>
    log.warn('tagging jobs: cannot reach RabbitMQ or Redis yet; retrying', {attempt, error: error.message})
  const retry = {baseMs: retryBaseMs, maxMs: retryMaxMs}
  const stop = new AbortController()
  // Redis first (each job is recorded there), then the queue: consumeQueue opens its channel in the
  // background and reopens it after a loss, with the same backoff and warning.
  const connect = async (): Promise<void> => {
    const connected = await retryUntil(() => runtime.redis(), {
      ...retry,
      timeoutMs: 10_000,
      signal: stop.signal,
      immediateFirstTry: true,
      onFailure: notReachable,
    })
    if (!connected) return
    const scripted = withTaggingJobScripts(connected.value)
    const consumer = await consumeQueue(
      runtime.channels([queue]),
      queue,
      {prefetch, log, metrics, retry, onOpenFailure: notReachable},
      (message) => handle(message, scripted),
    )
    if (stop.signal.aborted) return await consumer.stop(runtime.config.shutdownTimeoutMs)
    // Registered after the connections it uses, so it drains before they close.
    runtime.onClose('tagging jobs', () => consumer.stop(runtime.config.shutdownTimeoutMs))
    if (consumer.consuming) log.info('consuming tagging jobs', {queue, prefetch})
  }

  const connecting = connect()
  runtime.onClose('tagging jobs connect', async () => {
    stop.abort()
    await connecting
  })
}

/** The gRPC path's classification of one job's video, as an outcome to record. */
async function classifyJob(videoId: string, lookup: VideoMetadataSource | undefined): Promise<TaggingJobOutcome> {
  if (!ID_FORMAT.pattern.test(videoId)) return {status: 'failed', error: `video_id must be ${ID_FORMAT.description}`}
  try {
    return {status: 'completed', labels: (await generateMetadata({video_id: videoId}, lookup)).labels}
  } catch (error) {
    return {status: 'failed', error: `classification failed: ${(error as Error).message}`}
  }
}
