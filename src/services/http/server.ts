// The HTTP server of a service on node:http: /healthz, /readyz and /metrics, the service's routes,
// JSON replies, load shedding (a bounded in-flight count, then a fast 503), the request-duration
// metric, header and request timeouts, and a graceful close that stops accepting and waits for
// in-flight requests. Pipelined requests and protocol errors: see connections.ts.
import http from 'node:http'
import type {AddressInfo} from 'node:net'
import {listen} from '../../lib/host/ports.js'
import {ServiceRoutes, type Readiness} from '../../lib/streamflow/api.js'
import type {Logger} from '../telemetry/log.js'
import type {ServiceMetrics} from '../telemetry/metrics.js'
import {readJsonBody} from './body.js'
import {ConnectionTracker} from './connections.js'
import {HttpError, type ErrorBody} from './errors.js'
import {repeatedHeaderError} from './headers.js'
import type {Reply, RequestContext, Router} from './router.js'

export interface HttpServiceOptions {
  service: string
  router: Router
  metrics: ServiceMetrics
  log: Logger
  host: string
  port: number
  maxInFlight: number
  maxBodyBytes: number
  /** How long a client may take to send a request's headers, then the whole request (408 after). */
  headersTimeoutMs: number
  requestTimeoutMs: number
  /**
   * What the service can do its work with now, by name (its connections): /readyz answers 200 when
   * every check passes, otherwise 503 naming the ones that do not (`waiting_for`).
   */
  ready: ReadinessChecks
}

/** Named readiness checks, e.g. {redis: () => redis.status === 'ready'}. */
export type ReadinessChecks = Record<string, () => boolean>

export interface RunningHttpServer {
  url: string
  port: number
  /** Stops accepting, waits up to timeoutMs for in-flight requests, then cuts what is left. */
  close(timeoutMs: number): Promise<void>
}

export async function startHttpServer(options: HttpServiceOptions): Promise<RunningHttpServer> {
  const {router, metrics, service, log} = options
  let inFlight = 0
  const idle: Array<() => void> = []
  const connections = new ConnectionTracker(log)

  const serve = async (request: http.IncomingMessage, response: http.ServerResponse): Promise<void> => {
    const started = process.hrtime.bigint()
    const tracked = connections.track(request, response)
    if (tracked.clientGone()) return // nobody will read its answer: it does not run
    const url = new URL(request.url ?? '/', 'http://service')
    const method = request.method ?? 'GET'
    let routeLabel = url.pathname
    let reply: Reply
    const repeated = repeatedHeaderError(request.rawHeaders)
    if (repeated) {
      routeLabel = 'unmatched'
      reply = errorReply(repeated)
    } else if (url.pathname === ServiceRoutes.healthz) reply = {status: 200, body: {status: 'ok', service}}
    else if (url.pathname === ServiceRoutes.readyz) reply = readiness()
    else if (url.pathname === ServiceRoutes.metrics) {
      const text = await metrics.text()
      response.writeHead(200, {'content-type': metrics.registry.contentType})
      response.end(text)
      return
    } else {
      const match = router.match(method, url.pathname)
      if (!match) {
        routeLabel = 'unmatched'
        reply = errorReply(new HttpError(404, 'not_found', `no route ${method} ${url.pathname}`))
      } else if ('allowed' in match) {
        routeLabel = 'unmatched'
        reply = errorReply(
          new HttpError(
            405,
            'method_not_allowed',
            `${method} is not allowed on ${url.pathname} (allowed: ${match.allowed.join(', ')})`,
            {allow: match.allowed.join(', ')},
          ),
        )
      } else {
        routeLabel = match.route.pattern
        if (!match.route.options.unshed && inFlight >= options.maxInFlight) {
          metrics.shed.inc({service})
          reply = errorReply(
            new HttpError(
              503,
              'overloaded',
              `${service} is at its in-flight limit (${options.maxInFlight}); retry shortly`,
              {'retry-after': 1},
            ),
          )
        } else {
          inFlight++
          metrics.inFlight.set({service}, inFlight)
          try {
            let body: Promise<unknown> | undefined
            const context: RequestContext = {
              request,
              response,
              url,
              params: match.params,
              body: () => (body ??= readJsonBody(request, options.maxBodyBytes, tracked.readStopped)),
              clientGone: tracked.clientGone,
            }
            reply = await match.route.handler(context)
          } catch (error) {
            if (!(error instanceof HttpError))
              log.error('unhandled error', {route: routeLabel, error: (error as Error)?.stack ?? String(error)})
            reply = errorReply(error)
          } finally {
            inFlight--
            metrics.inFlight.set({service}, inFlight)
            if (inFlight === 0) for (const resolve of idle.splice(0)) resolve()
          }
        }
      }
    }
    if (reply.headers?.connection === 'close') tracked.closesConnection()
    if (!response.headersSent) writeReply(response, reply)
    metrics.httpDuration.observe(
      {service, route: routeLabel, status: String(reply.status)},
      Number(process.hrtime.bigint() - started) / 1e9,
    )
  }

  const readiness = (): Reply => {
    const waiting = Object.entries(options.ready).flatMap(([name, check]) => {
      try {
        return check() ? [] : [name]
      } catch {
        return [name]
      }
    })
    return waiting.length === 0
      ? {status: 200, body: {status: 'ready', service} satisfies Readiness}
      : {status: 503, body: {status: 'not ready', service, waiting_for: waiting} satisfies Readiness}
  }

  // Node enforces both timeouts when it checks its connections, every 30 s by default; checking at a
  // tenth of the header timeout (at most every second) cuts a slow client near its timeout. The
  // header timeout runs from a connection's opening or a request's first byte, never over an idle
  // keep-alive connection, so it may be far shorter than keepAliveTimeout.
  const timeouts = {
    headersTimeout: options.headersTimeoutMs,
    requestTimeout: options.requestTimeoutMs,
    connectionsCheckingInterval: Math.min(1000, Math.ceil(options.headersTimeoutMs / 10)),
  }
  const server = http.createServer(timeouts, (request, response) => {
    serve(request, response).catch((error: unknown) => {
      log.error('request failed', {error: (error as Error)?.stack ?? String(error)})
      if (!response.headersSent) writeReply(response, errorReply(error))
      else response.destroy()
    })
  })
  // Idle keep-alive connections outlive the clients' own idle timeouts (undici: 4 s, load balancers:
  // 60 s), so a client never reuses a connection the server is closing at that moment.
  server.keepAliveTimeout = 65_000
  server.on('clientError', connections.clientError)
  // A deep accept queue: a burst of new connections waits to be accepted instead of being reset.
  await listen(server, options.host, options.port, 4096)
  const port = (server.address() as AddressInfo).port
  return {
    url: `http://${options.host === '0.0.0.0' ? '127.0.0.1' : options.host}:${port}`,
    port,
    close: async (timeoutMs) => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()))
      server.closeIdleConnections()
      if (inFlight > 0)
        await Promise.race([
          new Promise<void>((resolve) => idle.push(resolve)),
          new Promise((resolve) => setTimeout(resolve, timeoutMs).unref()),
        ])
      server.closeAllConnections()
      await closed
    },
  }
}

function errorReply(error: unknown): Reply {
  if (error instanceof HttpError)
    return {
      status: error.status,
      body: {error: {code: error.code, message: error.message}} satisfies ErrorBody,
      headers: error.headers,
    }
  return {
    status: 500,
    body: {error: {code: 'internal', message: 'internal error; see the service log'}} satisfies ErrorBody,
  }
}

function writeReply(response: http.ServerResponse, reply: Reply): void {
  const payload = reply.body === undefined ? '' : JSON.stringify(reply.body)
  response.writeHead(reply.status, {
    ...(payload ? {'content-type': 'application/json; charset=utf-8'} : {}),
    'content-length': Buffer.byteLength(payload),
    ...reply.headers,
  })
  response.end(payload)
}
