// tagger: the gRPC inference service of the AI-microservices design. GenerateMetadata(video_id)
// returns deterministic zero-shot labels (news, sports, entertainment, …); a video known to the
// content catalogue is classified with its title, genres, tags and description as well. It also
// works the tagging-jobs queue the gateway's POST /v1/metadata/{video}/jobs fills
// (tagging-job-worker.ts), connecting to RabbitMQ and Redis in the background: gRPC and readiness
// never wait for them.
//
// Config: config.ts.
import {Counter} from 'prom-client'
import {Metrics} from '../../lib/streamflow/api.js'
import {Router} from '../http/router.js'
import {ServiceRuntime, type ServiceContext, type ServiceDefinition} from '../runtime/service-runtime.js'
import {readTaggerConfig} from './config.js'
import {startTaggerServer, type VideoMetadataSource} from './grpc-server.js'
import {consumeTaggingJobs} from './tagging-job-worker.js'

export const taggerService: ServiceDefinition = {
  defaultPort: 8088,
  async start(context: ServiceContext) {
    const runtime = new ServiceRuntime(context, this.defaultPort)
    const config = readTaggerConfig(context.env, runtime.config.host)
    const {grpcHost, jobsQueue} = config
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
    if (config.useCatalogue) {
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
      port: config.grpcPort,
      lookup,
      onCall: (status) => requests.inc({method: 'GenerateMetadata', status}),
    })
    runtime.onClose('grpc', () => server.close())
    runtime.log.info('gRPC listening', {address: `${grpcHost}:${server.port}`})
    if (!config.jobsOn) runtime.log.info('tagging jobs off (TAGGER_JOBS=false)')
    else if (!context.manifest.queues.some((queue) => queue.name === jobsQueue))
      runtime.log.info('tagging jobs off: the stack declares no such queue', {queue: jobsQueue})
    else
      consumeTaggingJobs(runtime, {
        queue: jobsQueue,
        prefetch: config.jobsPrefetch,
        lookup,
        onOutcome: (outcome) => jobs.inc({outcome}),
      })
    await runtime.listen(new Router())
    return runtime.running({grpc: server.port})
  },
}
