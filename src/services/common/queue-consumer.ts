// Consuming a RabbitMQ queue with bounded prefetch, and stopping gracefully: cancel the consumer,
// let in-flight messages finish and be acked (or dead-lettered), then close the channel. Whatever
// is still unacked when the channel closes is redelivered to another consumer by RabbitMQ.
import type {Channel, ConsumeMessage} from 'amqplib'
import type {Logger} from './log.js'
import type {ServiceMetrics} from './metrics.js'
import type {SwitchesStore} from './switches.js'

/**
 * What to do with a message once handled: ack it, reject it to its dead-letter queue, or put it back
 * at once (a store it must write to failed: the message is not lost, and another try may succeed).
 */
export type Disposition = 'ack' | 'dead-letter' | 'requeue'

export interface QueueConsumer {
  /** Messages being handled now. */
  readonly inFlight: number
  /** Stops taking new messages (the paused-consumer fault); messages held are still finished. */
  pause(): Promise<void>
  resume(): Promise<void>
  stop(timeoutMs: number): Promise<void>
}

export async function consumeQueue(
  channel: Channel,
  queue: string,
  options: {prefetch: number; log: Logger; metrics: ServiceMetrics; depthIntervalMs?: number},
  handle: (message: ConsumeMessage) => Promise<Disposition>,
): Promise<QueueConsumer> {
  let inFlight = 0
  let stopping = false
  const idle: Array<() => void> = []
  await channel.prefetch(options.prefetch)
  const onMessage = (message: ConsumeMessage | null) => {
    if (!message) return // cancelled by the server (queue deleted)
    inFlight++
    handle(message)
      .then((disposition) => (disposition === 'ack' ? channel.ack(message) : channel.nack(message, false, disposition === 'requeue')))
      .catch((error: Error) => {
        // Left unacked on purpose: the message is redelivered when this channel closes.
        options.log.error('message handling failed; it will be redelivered', {queue, error: error.message})
      })
      .finally(() => {
        inFlight--
        if (inFlight === 0) for (const resolve of idle.splice(0)) resolve()
      })
  }
  let consumerTag: string | undefined = (await channel.consume(queue, onMessage)).consumerTag
  // Pause and resume calls are applied in order, one at a time.
  let switching = Promise.resolve()
  const setPaused = (paused: boolean) =>
    (switching = switching.then(async () => {
      if (stopping) return
      if (paused && consumerTag) {
        await channel.cancel(consumerTag)
        consumerTag = undefined
        options.log.info('consumer paused', {queue})
      } else if (!paused && !consumerTag) {
        consumerTag = (await channel.consume(queue, onMessage)).consumerTag
        options.log.info('consumer resumed', {queue})
      }
    }).catch((error: Error) => options.log.warn('cannot pause or resume the consumer', {queue, error: error.message})))
  const depthTimer = setInterval(() => {
    if (stopping) return
    channel.checkQueue(queue).then(
      (info) => options.metrics.queueDepth.set({queue}, info.messageCount),
      () => {},
    )
  }, options.depthIntervalMs ?? 2000)
  depthTimer.unref()
  return {
    get inFlight() {
      return inFlight
    },
    pause: () => setPaused(true),
    resume: () => setPaused(false),
    async stop(timeoutMs) {
      await switching
      stopping = true
      clearInterval(depthTimer)
      if (consumerTag) await channel.cancel(consumerTag).catch(() => {})
      if (inFlight > 0) await Promise.race([new Promise<void>((resolve) => idle.push(resolve)), new Promise((resolve) => setTimeout(resolve, timeoutMs).unref())])
      await channel.close().catch(() => {})
    },
  }
}

export function parseJsonMessage<T>(message: ConsumeMessage): T | undefined {
  try {
    return JSON.parse(message.content.toString('utf8')) as T
  } catch {
    return undefined
  }
}

/** Applies the paused-consumer fault: the consumer pauses while its service's name is listed. */
export function followPausedConsumers(switches: SwitchesStore, name: string, consumer: QueueConsumer): void {
  switches.onChange((current) => void (current.faults.pausedConsumers.includes(name) ? consumer.pause() : consumer.resume()))
}
