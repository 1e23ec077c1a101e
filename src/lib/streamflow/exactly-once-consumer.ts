// A kafkajs consumer group whose progress lives in PostgreSQL (projector_offsets), not only in
// Kafka: each batch is applied with applyOnce (read-model change + next offset, one transaction),
// and on every assignment the consumer seeks to the offsets stored there. Kafka's committed
// offsets follow behind, for tools like `streamctl groups`. Supports pausing (a fault switch) and
// reports per-partition lag.
import type {Admin, Consumer, Kafka} from 'kafkajs'
import type pg from 'pg'
import {applyOnce, type ApplyResult, type OffsetMessage} from './apply-once.js'
import {decodeJson} from './decode-json.js'

/** How often the consumer refreshes topic metadata, and so how soon it sees new partitions. */
const METADATA_MAX_AGE_MS = 10_000

export interface PartitionLag {
  topic: string
  partition: number
  lag: number
}

export interface ExactlyOnceConsumerOptions<T> {
  kafka: Kafka
  pool: pg.Pool
  groupId: string
  topics: string[]
  /** Writes the decoded values in the batch's transaction; returns ids the after-commit hook needs. */
  change: (topic: string) => (client: pg.PoolClient, values: T[]) => Promise<string[]>
  /** Runs after a batch committed with at least one applied value. */
  afterCommit?: (topic: string, result: ApplyResult) => Promise<void>
  /** Accepts or rejects a decoded value (undefined = undecodable: skipped). */
  accept?: (value: unknown, topic: string) => value is T
  /** How long the group waits for a silent member (one killed) before reassigning its partitions. */
  sessionTimeoutMs?: number
  /** Runs after every batch, applied or not (for counters). */
  onBatch?: (topic: string, result: ApplyResult) => void
  onError?: (error: Error) => void
}

export class ExactlyOnceConsumer<T> {
  private consumer: Consumer | undefined
  private pausedNow = false
  private wantPaused = false
  private admin: Admin | undefined
  applied = 0
  skipped = 0

  constructor(private readonly options: ExactlyOnceConsumerOptions<T>) {}

  async start(): Promise<void> {
    const {kafka, groupId, topics} = this.options
    const sessionTimeout = this.options.sessionTimeoutMs ?? 10_000
    // metadataMaxAge: partitions added to a subscribed topic are noticed (and the group rebalanced
    // onto them) within this long, not kafkajs's default 5 minutes. A service that subscribes before
    // `provision` finds the topic auto-created with one partition; provision then grows it.
    const consumer = kafka.consumer({
      groupId,
      sessionTimeout,
      heartbeatInterval: Math.max(100, Math.floor(sessionTimeout / 10)),
      rebalanceTimeout: sessionTimeout,
      maxWaitTimeInMs: 250,
      metadataMaxAge: METADATA_MAX_AGE_MS,
    })
    this.consumer = consumer
    await consumer.connect()
    await consumer.subscribe({topics, fromBeginning: true})
    consumer.on(consumer.events.GROUP_JOIN, ({payload}) => {
      this.seekToStored(payload.memberAssignment).catch((error: Error) => this.options.onError?.(error))
    })
    await consumer.run({
      eachBatchAutoResolve: true,
      eachBatch: async ({batch, heartbeat}) => {
        const accept = this.options.accept ?? ((value: unknown): value is T => value !== undefined)
        const messages: Array<OffsetMessage<T>> = batch.messages.map((message) => {
          const value = decodeJson<unknown>(message.value)
          return {offset: Number(message.offset), value: accept(value, batch.topic) ? value : undefined}
        })
        const result = await applyOnce(
          this.options.pool,
          {group: groupId, topic: batch.topic, partition: batch.partition},
          messages,
          this.options.change(batch.topic),
        )
        this.applied += result.applied
        this.skipped += result.skipped
        this.options.onBatch?.(batch.topic, result)
        if (result.applied > 0) await this.options.afterCommit?.(batch.topic, result)
        await heartbeat()
      },
    })
    if (this.wantPaused) {
      this.pausedNow = !this.wantPaused
      this.setPaused(this.wantPaused)
    }
  }

  /** Pauses or resumes every subscribed topic; cheap to call repeatedly, also before start. */
  setPaused(paused: boolean): void {
    this.wantPaused = paused
    if (!this.consumer || paused === this.pausedNow) return
    const topics = this.options.topics.map((topic) => ({topic}))
    if (paused) this.consumer.pause(topics)
    else this.consumer.resume(topics)
    this.pausedNow = paused
  }

  get paused(): boolean {
    return this.pausedNow
  }

  /** High watermark minus the stored next offset, per partition of every subscribed topic. */
  async lag(): Promise<PartitionLag[]> {
    if (!this.admin) {
      const admin = this.options.kafka.admin()
      await admin.connect()
      this.admin = admin
    }
    const lags: PartitionLag[] = []
    for (const topic of this.options.topics) {
      const [ends, stored] = await Promise.all([this.admin.fetchTopicOffsets(topic), this.storedOffsets(topic)])
      for (const end of ends)
        lags.push({
          topic,
          partition: end.partition,
          lag: Math.max(0, Number(end.high) - (stored.get(end.partition) ?? Number(end.low))),
        })
    }
    return lags
  }

  async stop(): Promise<void> {
    await this.consumer?.disconnect()
    await this.admin?.disconnect()
    this.consumer = undefined
    this.admin = undefined
  }

  private async seekToStored(assignment: Record<string, number[]>): Promise<void> {
    for (const [topic, partitions] of Object.entries(assignment)) {
      const stored = await this.storedOffsets(topic)
      for (const partition of partitions) {
        const offset = stored.get(partition)
        if (offset !== undefined) this.consumer?.seek({topic, partition, offset: String(offset)})
      }
    }
  }

  private async storedOffsets(topic: string): Promise<Map<number, number>> {
    const rows = await this.options.pool.query<{partition: number; next_offset: string}>(
      'SELECT partition, next_offset FROM projector_offsets WHERE consumer_group = $1 AND topic = $2',
      [this.options.groupId, topic],
    )
    return new Map(rows.rows.map((row) => [row.partition, Number(row.next_offset)]))
  }
}
