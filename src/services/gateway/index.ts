// gateway: the stack's HTTP API. Opens its connections and mounts every route module of
// routes/index.ts. PostgreSQL and Redis must answer at start; RabbitMQ need not: the publishing
// channel (which declares the queues the gateway publishes to) opens in the background, /readyz is
// false until it does, generates are still accepted meanwhile (stored, and sent by the dispatcher's
// sweeper once the channel is up) and tagging jobs get a fast 503. Common settings in
// runtime/env.ts (MAX_IN_FLIGHT bounds concurrent requests: above it, a fast 503), its own in
// config.ts.
import {hashSecret, secretMatches} from '../../lib/stack/credentials.js'
import {ConfirmedPublisher} from '../amqp/confirmed-publisher.js'
import {HttpError} from '../http/errors.js'
import {Router} from '../http/router.js'
import {ServiceRuntime, type ServiceContext, type ServiceDefinition} from '../runtime/service-runtime.js'
import {Authenticator} from './auth.js'
import {Dispatcher} from './dispatcher.js'
import {publishedQueues, readGatewayConfig} from './config.js'
import type {GatewayContext} from './context.js'
import {GATEWAY_ROUTE_MODULES} from './routes/index.js'

export const gatewayService: ServiceDefinition = {
  defaultPort: 8080,
  async start(context: ServiceContext) {
    const runtime = new ServiceRuntime(context, this.defaultPort)
    const config = readGatewayConfig(context.env)
    const [pg, redis, switches] = await Promise.all([runtime.postgres(), runtime.redis(), runtime.switches()])
    const publisher = await ConfirmedPublisher.start(
      runtime.confirmChannels(publishedQueues(config, context.manifest)),
      runtime.log,
    )
    runtime.onClose('publisher', () => publisher.close())
    const dispatcher = new Dispatcher(publisher, redis, pg, runtime.log, {
      queue: config.requestsQueue,
      maxUnconfirmed: config.maxUnconfirmed,
      sweepMs: config.dispatchSweepMs,
      graceMs: config.dispatchGraceMs,
      lingerMs: config.dispatchLingerMs,
    })
    runtime.onClose('dispatcher', () => dispatcher.close())
    const auth = new Authenticator(pg, config.authCacheMs)
    // Compared as SHA-256 digests in constant time, so neither the token nor its length leaks.
    const adminTokenHash = config.adminToken ? hashSecret(config.adminToken) : undefined
    const gateway: GatewayContext = {
      runtime,
      config,
      manifest: context.manifest,
      pg,
      redis,
      switches,
      publisher,
      dispatcher,
      auth,
      principal: (request) => auth.authenticate(request.headers.authorization),
      requireAdmin: (request) => {
        if (!adminTokenHash)
          throw new HttpError(
            401,
            'unauthorized',
            'the admin API is closed: ADMIN_TOKEN is not set on the gateway (`streamctl up` sets it; see docs/services.md)',
            {'www-authenticate': 'Bearer'},
          )
        const presented = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '')?.[1]
        if (!presented || !secretMatches(presented, adminTokenHash))
          throw new HttpError(401, 'unauthorized', 'the admin API needs Authorization: Bearer <ADMIN_TOKEN>', {
            'www-authenticate': 'Bearer',
          })
      },
    }
    const router = new Router()
    for (const register of GATEWAY_ROUTE_MODULES) await register(router, gateway)
    await runtime.listen(router, {redis: () => redis.status === 'ready', 'rabbitmq-publisher': () => publisher.open})
    dispatcher.start()
    return runtime.running()
  },
}
