// Consuming a RabbitMQ queue with bounded prefetch, and stopping gracefully: cancel the consumer,
// let in-flight messages finish and be acked (or dead-lettered), then close the channel. Whatever
// is still unacked when the channel closes is redelivered to another consumer by RabbitMQ.
//
// The channel comes from a factory, and one path opens it, with backoff, until it succeeds or the
// consumer stops: at start (first try at once; a service starts while RabbitMQ is unreachable and
// subscribes once it is reachable) and whenever the channel closes under the consumer (a broker
// restart, a cut connection). `consuming` says whether it has a channel now; pause, resume and stop
// work with or without one.
import type {Channel, ConsumeMessage} from 'amqplib'
import {BackgroundRetry} from '../runtime/backoff.js'
import type {Logger} from '../telemetry/log.js'
import type {ServiceMetrics} from '../telemetry/metrics.js'
import type {ServiceRuntime} from '../runtime/service-runtime.js'
import type {SwitchesStore} from '../runtime/switches.js'

/**
 * What to do with a message once handled: ack it, reject it to its dead-letter queue, or put it back
 * at once (a store it must write to failed: the message is not lost, and another try may succeed).
 */
export type Disposition = 'ack' | 'dead-letter' | 'requeue'

export interface QueueConsumer {
  /** Messages being handled now. */
  readonly inFlight: number
  /**
   * Whether it has a channel on the queue: subscribed, or ready to be once resumed. False until the
   * first channel opens and while a lost one is reopened (what readiness follows).
   */
  readonly consuming: boolean
  /** Stops taking new messages (the paused-consumer fault); messages held are still finished. */
  pause(): Promise<void>
  resume(): Promise<void>
  stop(timeoutMs: number): Promise<void>
}

export interface ConsumeOptions {
  prefetch: number
  log: Logger
  metrics: ServiceMetrics
  depthIntervalMs?: number
  retry?: {baseMs: number; maxMs: number}
  /** Told of every failed try to open a channel; by default a warning on the first and every 10th. */
  onOpenFailure?: (attempt: number, error: Error) => void
}

/** Resolves once the first try to open a channel has settled: consuming, or still trying in the background. */
export async function consumeQueue(
  openChannel: () => Promise<Channel>,
  queue: string,
  options: ConsumeOptions,
  handle: (message: ConsumeMessage) => Promise<Disposition>,
): Promise<QueueConsumer> {
  const retry = options.retry ?? {baseMs: 250, maxMs: 5000}
  const {log} = options
  let inFlight = 0
  let stopping = false
  let paused = false
  const stopped = new AbortController()
  const idle: Array<() => void> = []
  let channel: Channel | undefined
  let consumerTag: string | undefined

  const onMessage = (from: Channel) => (message: ConsumeMessage | null) => {
    if (!message) return // cancelled by the server (queue deleted)
    inFlight++
    handle(message)
      // Settled on the channel it came from: if that one is gone, RabbitMQ redelivers the message.
      .then((disposition) =>
        disposition === 'ack' ? from.ack(message) : from.nack(message, false, disposition === 'requeue'),
      )
      .catch((error: Error) => {
        // Left unacked on purpose: the message is redelivered when this channel closes.
        log.error('message handling failed; it will be redelivered', {queue, error: error.message})
      })
      .finally(() => {
        inFlight--
        if (inFlight === 0) for (const resolve of idle.splice(0)) resolve()
      })
  }

  // Subscribing, pausing and resuming happen one at a time, in order, each against the latest
  // `paused` and whatever channel there is then: a pause asked for before a channel opens holds.
  let switching = Promise.resolve()
  const serially = (step: () => Promise<void>): Promise<void> => {
    const done = switching.then(step)
    switching = done.catch(() => {}) // the step's caller gets its failure from `done`; later steps still run
    return done
  }
  /** Subscribes or cancels so that the current channel follows `paused`; what it did, if anything. */
  const follow = async (): Promise<'paused' | 'resumed' | undefined> => {
    const current = channel
    if (stopping || !current) return undefined
    if (paused && consumerTag) {
      await current.cancel(consumerTag)
      consumerTag = undefined
      return 'paused'
    }
    if (!paused && !consumerTag) {
      consumerTag = (await current.consume(queue, onMessage(current))).consumerTag
      return 'resumed'
    }
    return undefined
  }

  const use = (next: Channel) => {
    channel = next
    consumerTag = undefined
    next.on('close', () => {
      if (channel !== next) return
      channel = undefined
      consumerTag = undefined
      if (!stopping) void connect('reopen')
    })
    void serially(async () => void (await follow())).catch((error: Error) =>
      log.warn('cannot subscribe to the queue; it is retried when the channel is reopened', {
        queue,
        error: error.message,
      }),
    )
  }

  /** Opens a channel and sets its prefetch, or closes it again. */
  const openWithPrefetch = async () => {
    const next = await openChannel()
    try {
      await next.prefetch(options.prefetch)
      return next
    } catch (error) {
      await next.close().catch(() => {}) // the prefetch error is what the retry reports; the channel may be gone
      throw error
    }
  }
  const opener = new BackgroundRetry(
    openWithPrefetch,
    {...retry, timeoutMs: 10_000, signal: stopped.signal},
    (late) => void late.close().catch(() => {}), // opened too late and unused; a failed close leaves nothing open
  )

  /**
   * Opens a channel, retrying with backoff until one opens or the consumer stops: at once at start,
   * after a backoff on a reopen. Resolves once the first try has settled; the rest goes on in the
   * background.
   */
  const connect = (why: 'start' | 'reopen'): Promise<void> => {
    if (opener.running) return Promise.resolve()
    if (why === 'reopen') log.warn('consumer channel closed; reopening', {queue})
    const failed =
      options.onOpenFailure ??
      ((attempt: number, error: Error) => {
        if (attempt === 1 || attempt % 10 === 0)
          log.warn(
            why === 'start'
              ? 'cannot open the consumer channel yet; retrying in the background'
              : 'cannot reopen the consumer channel yet',
            {queue, attempt, error: error.message},
          )
      })
    return opener.run(why === 'start', failed, async (opened) => {
      // Stopped meanwhile: the new channel is not wanted, and a failed close leaves nothing open.
      if (stopping) return void (await opened.value.close().catch(() => {}))
      use(opened.value)
      if (why === 'reopen' || opened.attempts > 1)
        log.info(why === 'start' ? 'consuming' : 'consuming again', {queue, attempts: opened.attempts})
    })
  }

  const setPaused = (pause: boolean) =>
    serially(async () => {
      if (stopping) return
      paused = pause
      const done = await follow()
      if (done) log.info(`consumer ${done}`, {queue})
    }).catch((error: Error) => log.warn('cannot pause or resume the consumer', {queue, error: error.message}))
  const depthTimer = setInterval(() => {
    if (stopping || !channel) return
    channel.checkQueue(queue).then(
      (info) => options.metrics.queueDepth.set({queue}, info.messageCount),
      () => {}, // the gauge keeps its last value (the channel is closing, say); the next tick reads again
    )
  }, options.depthIntervalMs ?? 2000)
  depthTimer.unref()

  await connect('start')
  return {
    get inFlight() {
      return inFlight
    },
    get consuming() {
      return channel !== undefined
    },
    pause: () => setPaused(true),
    resume: () => setPaused(false),
    async stop(timeoutMs) {
      await switching
      stopping = true
      stopped.abort()
      clearInterval(depthTimer)
      await opener.running
      if (channel && consumerTag) await channel.cancel(consumerTag).catch(() => {}) // a closed channel delivers no more
      if (inFlight > 0)
        await Promise.race([
          new Promise<void>((resolve) => idle.push(resolve)),
          new Promise((resolve) => setTimeout(resolve, timeoutMs).unref()),
        ])
      await channel?.close().catch(() => {}) // RabbitMQ may have closed it already; unacked messages are redelivered
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

/**
 * Ties a service's consumer to it: the consumer stops when the service closes (finishing what it
 * holds for up to SHUTDOWN_TIMEOUT_MS), and pauses while the paused-consumer fault lists the service.
 */
export function tieConsumerToService(
  runtime: ServiceRuntime,
  switches: SwitchesStore,
  consumer: QueueConsumer,
  what = 'consumer',
): void {
  runtime.onClose(what, () => consumer.stop(runtime.config.shutdownTimeoutMs))
  switches.onChange(
    (current) => void (current.faults.pausedConsumers.includes(runtime.name) ? consumer.pause() : consumer.resume()),
  )
}
