// tagger: the gRPC inference service of the AI-microservices design. GenerateMetadata(video_id)
// returns deterministic zero-shot labels (news, sports, entertainment, …); a video known to the
// content catalogue is classified with its title, genres, tags and description as well. It also
// works the tagging-jobs queue the gateway's POST /v1/metadata/{video}/jobs fills
// (tagging-job-worker.ts), connecting to RabbitMQ and Redis in the background: gRPC and readiness
// never wait for them.
//
// Environment (defaults): GRPC_PORT (50051; 0 picks a free port) and GRPC_HOST (HOST) for the gRPC
// listener; TAGGER_USE_CATALOGUE (true: look videos up in PostgreSQL's content table); TAGGER_JOBS
// (true: consume tagging jobs), TAGGING_JOBS_QUEUE (tagging_jobs; jobs are off when the stack
// declares no such queue) and TAGGER_JOBS_PREFETCH (16: jobs classified at once); plus the common
// ones (runtime/env.ts: AMQP_URL, REDIS_URL, …), whose PORT is the HTTP /healthz, /readyz and /metrics listener.
import {Counter} from 'prom-client'
import {Metrics} from '../../lib/stack/api.js'
import {envBoolean, envNumber, envString} from '../runtime/env.js'
import {Router} from '../http/router.js'
import {ServiceRuntime, type ServiceContext, type ServiceDefinition} from '../runtime/service-runtime.js'
import {DEFAULT_TAGGING_QUEUE} from '../jobs/tagging-job-record.js'
import {startTaggerServer, type VideoMetadataSource} from './grpc-server.js'
import {consumeTaggingJobs} from './tagging-job-worker.js'

export const taggerService: ServiceDefinition = {
  defaultPort: 8088,
  async start(context: ServiceContext) {
    const runtime = new ServiceRuntime(context, this.defaultPort)
    const {env} = context
    const grpcPort = envNumber(env, 'GRPC_PORT', 50_051, {min: 0, max: 65_535, integer: true})
    const grpcHost = envString(env, 'GRPC_HOST', runtime.config.host)
    const jobsOn = envBoolean(env, 'TAGGER_JOBS', true)
    const jobsQueue = envString(env, 'TAGGING_JOBS_QUEUE', DEFAULT_TAGGING_QUEUE)
    const jobsPrefetch = envNumber(env, 'TAGGER_JOBS_PREFETCH', 16, {min: 1, max: 10_000, integer: true})
    const requests = new Counter({
      name: Metrics.grpcRequests,
      help: 'gRPC calls answered, by method and status',
      labelNames: ['method', 'status'],
      registers: [runtime.metrics.registry],
    })
    const jobs = new Counter({
      name: Metrics.taggingJobs,
      help: 'Tagging jobs handled, by outcome',
      labelNames: ['outcome'],
      registers: [runtime.metrics.registry],
    })
    let lookup: VideoMetadataSource | undefined
    if (envBoolean(env, 'TAGGER_USE_CATALOGUE', true)) {
      lookup = async (videoId) => {
        // The catalogue only sharpens labels: without a database the tagger still answers.
        try {
          const pool = await runtime.postgres()
          const rows = await pool.query<{title: string; genres: string[]; tags: string[]; description: string}>(
            'SELECT title, genres, tags, description FROM content WHERE content_id = $1',
            [videoId],
          )
          return rows.rows[0]
        } catch (error) {
          runtime.log.warn('catalogue lookup failed', {error: (error as Error).message})
          return undefined
        }
      }
    }
    const server = await startTaggerServer({
      host: grpcHost,
      port: grpcPort,
      lookup,
      onCall: (status) => requests.inc({method: 'GenerateMetadata', status}),
    })
    runtime.onClose('grpc', () => server.close())
    runtime.log.info('gRPC listening', {address: `${grpcHost}:${server.port}`})
    if (!jobsOn) runtime.log.info('tagging jobs off (TAGGER_JOBS=false)')
    else if (!context.manifest.queues.some((queue) => queue.name === jobsQueue))
      runtime.log.info('tagging jobs off: the stack declares no such queue', {queue: jobsQueue})
    else
      consumeTaggingJobs(runtime, {
        queue: jobsQueue,
        prefetch: jobsPrefetch,
        lookup,
        onOutcome: (outcome) => jobs.inc({outcome}),
      })
    await runtime.listen(new Router())
    return runtime.running({grpc: server.port})
  },
}
