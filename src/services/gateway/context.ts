// What gateway route modules get: the gateway's shared connections and helpers. A route module is
// `(router, gateway) => void`, listed in routes/index.ts; adding one never touches the others.
import type {Redis} from 'ioredis'
import type pg from 'pg'
import type {StackManifest} from '../../lib/stack/manifest.js'
import type {ConfirmedPublisher} from '../amqp/confirmed-publisher.js'
import type {Router} from '../http/router.js'
import type {ServiceRuntime} from '../runtime/service-runtime.js'
import type {SwitchesStore} from '../runtime/switches.js'
import type {Authenticator, Principal} from './auth.js'
import type {GatewayConfig} from './config.js'
import type {Dispatcher} from './dispatcher.js'

export interface GatewayContext {
  runtime: ServiceRuntime
  config: GatewayConfig
  manifest: StackManifest
  pg: pg.Pool
  redis: Redis
  switches: SwitchesStore
  /** Publishes to RabbitMQ with confirms. */
  publisher: ConfirmedPublisher
  /** Queues accepted requests after their 202 (see dispatcher.ts). */
  dispatcher: Dispatcher
  auth: Authenticator
  /** Authenticates a request's API key (401 otherwise). */
  principal(request: {headers: {authorization?: string}}): Promise<Principal>
  /** Checks the admin token (401 otherwise; always 401 when ADMIN_TOKEN is not set: the admin API is closed). */
  requireAdmin(request: {headers: {authorization?: string}}): void
}

export type GatewayRouteModule = (router: Router, gateway: GatewayContext) => void | Promise<void>
