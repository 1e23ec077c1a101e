// The asynchronous side of the metadata API (a gateway route module; PRODUCT.md §1: "tagging jobs
// also go asynchronously through RabbitMQ"):
//   POST /v1/metadata/{video}/jobs  (API key) records the job `queued` in Redis for its owner, then
//                                   publishes {job_id, video_id, requested_at} to TAGGING_JOBS_QUEUE with
//                                   publisher confirms → 202 {job_id, status_url} and a Location header.
//                                   RabbitMQ unreachable (or no confirm within TAGGER_TIMEOUT_MS): a fast
//                                   503 with Retry-After, and the record is removed again;
//   GET  /v1/metadata/jobs/{id}     (API key) the job's status, labels once completed; 404 for an
//                                   unknown id or someone else's job.
// The tagger works the queue (tagger/tagging-job-worker.ts); the gateway's publishing channel
// declares it (publishedQueues in config.ts, with both settings). The router cannot take
// `/v1/metadata/jobs/{id}` for `/v1/metadata/{video}`: it has one segment more.
import {randomUUID} from 'node:crypto'
import {GatewayRoutes, type TaggingJobAccepted} from '../../../lib/streamflow/api.js'
import {badRequest, notFound, unavailable} from '../../http/errors.js'
import {ID_FORMAT, UUID} from '../../http/validate.js'
import {forgetJob, readJob, recordQueuedJob, type TaggingJobMessage} from '../../redis/tagging-job-record.js'
import type {GatewayRouteModule} from '../context.js'

export const taggingJobRoutes: GatewayRouteModule = async (router, gateway) => {
  const {runtime, redis, publisher, config} = gateway
  const {manifest} = runtime.context
  const {log} = runtime
  const queue = config.taggingJobsQueue
  if (!manifest.queues.some((candidate) => candidate.name === queue)) {
    log.info('no tagging-job routes: the stack declares no such queue', {queue})
    return
  }
  router.get('/v1/metadata/jobs/:id', async ({request, params}) => {
    const principal = await gateway.principal(request)
    const id = params.id!
    if (!UUID.test(id)) throw notFound(`no tagging job ${id}`)
    const found = await readJob(redis, id).catch((error: unknown) => {
      throw storeUnavailable('cannot read the tagging job', error)
    })
    if (!found || found.userId !== principal.userId) throw notFound(`no tagging job ${id}`)
    return {status: 200, body: found.status}
  })

  router.post('/v1/metadata/:video/jobs', async ({request, params}) => {
    const principal = await gateway.principal(request)
    const video = params.video!
    if (!ID_FORMAT.pattern.test(video)) throw badRequest(`video must be ${ID_FORMAT.description}`)
    // The gateway's channel closes with its RabbitMQ connection: answer at once, store nothing.
    if (!publisher.open) throw unavailable('cannot queue tagging jobs: RabbitMQ is unreachable', 'rabbitmq_unavailable')
    const job: TaggingJobMessage = {job_id: randomUUID(), video_id: video, requested_at: new Date().toISOString()}
    // Recorded before it is published, so the tagger always finds the record it completes.
    await recordQueuedJob(redis, job, principal.userId).catch((error: unknown) => {
      throw storeUnavailable('cannot store the tagging job', error)
    })
    try {
      await confirmedWithin(
        publisher.publish(queue, job, {messageId: job.job_id, timestamp: Math.floor(Date.now() / 1000)}),
        config.taggerTimeoutMs,
      )
    } catch (error) {
      await forgetJob(redis, job.job_id).catch(() => {}) // the record expires by itself; the client is told to retry
      log.warn('tagging job not queued', {job_id: job.job_id, error: (error as Error).message})
      throw unavailable('cannot queue the tagging job on RabbitMQ', 'rabbitmq_unavailable')
    }
    const statusPath = GatewayRoutes.taggingJob(job.job_id)
    const accepted: TaggingJobAccepted = {job_id: job.job_id, status_url: `${config.publicUrl}${statusPath}`}
    return {status: 202, body: accepted, headers: {location: statusPath}}
  })

  function storeUnavailable(what: string, error: unknown) {
    log.error(what, {error: (error as Error)?.message ?? String(error)})
    return unavailable(what)
  }
}

/** A publish's confirm, or a rejection once timeoutMs has passed without one. */
async function confirmedWithin(confirm: Promise<void>, timeoutMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined
  const late = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`no confirm from RabbitMQ within ${timeoutMs} ms`)), timeoutMs)
  })
  try {
    await Promise.race([confirm, late])
  } finally {
    clearTimeout(timer)
  }
}
