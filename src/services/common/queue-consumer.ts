// Consuming a RabbitMQ queue with bounded prefetch, and stopping gracefully: cancel the consumer,
// let in-flight messages finish and be acked (or dead-lettered), then close the channel. Whatever
// is still unacked when the channel closes is redelivered to another consumer by RabbitMQ. The
// channel comes from a factory: when it closes under the consumer (a broker restart, a cut
// connection) a new one is opened with backoff and the consumer subscribes again.
import type {Channel, ConsumeMessage} from 'amqplib'
import {retryUntil} from './backoff.js'
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
  openChannel: () => Promise<Channel>,
  queue: string,
  options: {prefetch: number; log: Logger; metrics: ServiceMetrics; depthIntervalMs?: number; retry?: {baseMs: number; maxMs: number}},
  handle: (message: ConsumeMessage) => Promise<Disposition>,
): Promise<QueueConsumer> {
  const retry = options.retry ?? {baseMs: 250, maxMs: 5000}
  let inFlight = 0
  let stopping = false
  let paused = false
  const stopped = new AbortController()
  const idle: Array<() => void> = []
  let channel: Channel | undefined
  let consumerTag: string | undefined
  let reopening: Promise<void> | undefined

  const onMessage = (from: Channel) => (message: ConsumeMessage | null) => {
    if (!message) return // cancelled by the server (queue deleted)
    inFlight++
    handle(message)
      // Settled on the channel it came from: if that one is gone, RabbitMQ redelivers the message.
      .then((disposition) => (disposition === 'ack' ? from.ack(message) : from.nack(message, false, disposition === 'requeue')))
      .catch((error: Error) => {
        // Left unacked on purpose: the message is redelivered when this channel closes.
        options.log.error('message handling failed; it will be redelivered', {queue, error: error.message})
      })
      .finally(() => {
        inFlight--
        if (inFlight === 0) for (const resolve of idle.splice(0)) resolve()
      })
  }

  /** Subscribes on a fresh channel (unless paused), and reopens one whenever it closes. */
  const attach = async (next: Channel) => {
    await next.prefetch(options.prefetch)
    channel = next
    consumerTag = paused ? undefined : (await next.consume(queue, onMessage(next))).consumerTag
    next.on('close', () => {
      if (channel !== next) return
      channel = undefined
      consumerTag = undefined
      if (!stopping) reopening ??= reopen().finally(() => (reopening = undefined))
    })
  }
  const reopen = async () => {
    options.log.warn('consumer channel closed; reopening', {queue})
    const failed = (attempt: number, error: Error) => {
      if (attempt === 1 || attempt % 10 === 0) options.log.warn('cannot reopen the consumer channel yet', {queue, attempt, error: error.message})
    }
    const opened = await retryUntil(
      async () => {
        const next = await openChannel()
        if (stopping) {
          await next.close().catch(() => {})
          return next
        }
        await attach(next)
        return next
      },
      {...retry, timeoutMs: 10_000, signal: stopped.signal, onFailure: failed},
      (late) => void late.close().catch(() => {}),
    )
    if (opened && !stopping) options.log.info('consuming again', {queue, attempts: opened.attempts})
  }
  await attach(await openChannel())

  // Pause and resume calls are applied in order, one at a time; a channel reopened meanwhile
  // subscribes or not according to the latest call.
  let switching = Promise.resolve()
  const setPaused = (pause: boolean) =>
    (switching = switching.then(async () => {
      if (stopping) return
      paused = pause
      if (!channel) return
      if (pause && consumerTag) {
        await channel.cancel(consumerTag)
        consumerTag = undefined
        options.log.info('consumer paused', {queue})
      } else if (!pause && !consumerTag) {
        consumerTag = (await channel.consume(queue, onMessage(channel))).consumerTag
        options.log.info('consumer resumed', {queue})
      }
    }).catch((error: Error) => options.log.warn('cannot pause or resume the consumer', {queue, error: error.message})))
  const depthTimer = setInterval(() => {
    if (stopping || !channel) return
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
      stopped.abort()
      clearInterval(depthTimer)
      await reopening
      if (channel && consumerTag) await channel.cancel(consumerTag).catch(() => {})
      if (inFlight > 0) await Promise.race([new Promise<void>((resolve) => idle.push(resolve)), new Promise((resolve) => setTimeout(resolve, timeoutMs).unref())])
      await channel?.close().catch(() => {})
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
