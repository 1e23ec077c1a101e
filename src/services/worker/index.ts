// worker: consumes `inference_requests` with bounded prefetch, calls the LLM (process-request.ts),
// publishes each outcome to `inference_results` with publisher confirms (trying again with backoff
// while its publishing channel is down, holding the message meanwhile), then acks. A request that
// failed its last attempt is also dead-lettered; a malformed message only is. When it starts on a
// request it shows it `running` on the status copy in Redis (best effort, over `queued` only, so a
// redelivery never hides a final state). Redis must answer at start; RabbitMQ need not: the consumer
// and the results publisher open their channels in the background, and /readyz is false until both
// are up. Config: config.ts.
import {ConfirmedPublisher} from '../amqp/confirmed-publisher.js'
import {Router} from '../http/router.js'
import type {InferenceRequestMessage} from '../amqp/inference-messages.js'
import {consumeQueue, parseJsonMessage, tieConsumerToService} from '../amqp/queue-consumer.js'
import {markRunning, withStatusScripts} from '../redis/request-status.js'
import {ServiceRuntime, type ServiceContext, type ServiceDefinition} from '../runtime/service-runtime.js'
import {CircuitBreaker} from './breaker.js'
import {readWorkerConfig} from './config.js'
import {processRequest} from './process-request.js'

export const workerService: ServiceDefinition = {
  defaultPort: 8085,
  async start(context: ServiceContext) {
    const runtime = new ServiceRuntime(context, this.defaultPort)
    const config = readWorkerConfig(context.env)
    const {log, metrics} = runtime
    const [switches, redis] = await Promise.all([runtime.switches(), runtime.redis()])
    const statusRedis = withStatusScripts(redis)
    const publisher = await ConfirmedPublisher.start(
      runtime.confirmChannels([config.requestsQueue, config.resultsQueue]),
      log,
    )
    runtime.onClose('publisher', () => publisher.close())
    const breaker = new CircuitBreaker(config.breakerFailureThreshold, config.breakerOpenMs, (state) =>
      metrics.breakerState.set({breaker: 'llm'}, state),
    )
    metrics.breakerState.set({breaker: 'llm'}, breaker.current)
    const fallbackOn = () => switches.current.interventions.llmBreakerFallback
    switches.onChange((current) => {
      if (!current.interventions.llmBreakerFallback) breaker.reset()
    })

    const consumer = await consumeQueue(
      runtime.channels([config.requestsQueue]),
      config.requestsQueue,
      {prefetch: config.prefetch, log, metrics},
      async (message) => {
        const request = parseJsonMessage<InferenceRequestMessage>(message)
        if (!request || typeof request.request_id !== 'string' || typeof request.prompt !== 'string') {
          log.warn('malformed request message dead-lettered', {message_id: message.properties.messageId})
          return 'dead-letter'
        }
        // Not awaited: a slow or unreachable Redis never holds up the LLM call.
        markRunning(statusRedis, request.request_id).catch((error: Error) =>
          log.warn('cannot show the request as running', {request_id: request.request_id, error: error.message}),
        )
        const result = await processRequest(request, {config, metrics, breaker, fallbackOn})
        // Held until RabbitMQ has the result: the consumer's channel may be up before the publisher's
        // (both open in the background), and a message left unacked on a live channel is never redelivered.
        await publisher.publishRetrying(
          config.resultsQueue,
          result,
          {messageId: request.request_id},
          (attempt, error) => {
            if (attempt === 1 || attempt % 10 === 0)
              log.warn('result not published yet; retrying', {
                request_id: request.request_id,
                attempt,
                error: error.message,
              })
          },
        )
        if (result.status === 'failed')
          log.warn('request failed; dead-lettered', {request_id: request.request_id, error: result.error})
        return result.status === 'failed' ? 'dead-letter' : 'ack'
      },
    )
    tieConsumerToService(runtime, switches, consumer)
    await runtime.listen(new Router(), {
      'rabbitmq-consumer': () => consumer.consuming,
      'rabbitmq-publisher': () => publisher.open,
    })
    return runtime.running()
  },
}
