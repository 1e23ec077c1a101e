// Targets that re-send what they are given: `topic:<name>` produces each record to another topic
// with its key and, by default, its original timestamp (so time-based seeks on the copy find the
// same records), and `gateway` POSTs each event to the gateway's command side as a client would.
//
// A record is deleted once its timestamp is older than the topic's retention.ms (Kafka's rule, and
// the embedded broker's): a recording of last month copied with its original times into a topic
// that keeps a week would be gone at the broker's next retention check. So the topic sink refuses
// such a record before producing it, and `timestamps: 'now'` stamps each record with the time it
// is sent instead (the event's own "ts" in the value is kept either way).
import type {Kafka, Producer} from 'kafkajs'
import {StreamctlError} from '../errors.js'
import {kafkaFailure} from '../kafka/client.js'
import {readTopicConfigs, topicExists} from '../kafka/topics.js'
import {formatDuration} from '../text/duration.js'
import {GatewayRoutes} from '../streamflow/api.js'
import type {ReplayRecord} from './replay-record.js'

export interface ReplaySink {
  write(records: readonly ReplayRecord[]): Promise<void>
  close(): Promise<void>
}

/** The record timestamps a topic target writes: each event's original time, or the time it is sent. */
export type TimestampMode = 'original' | 'now'

export async function topicSink(
  kafka: Kafka,
  topic: string,
  timestamps: TimestampMode = 'original',
): Promise<ReplaySink> {
  const admin = kafka.admin()
  await admin.connect()
  const retentionMs = await (async () => {
    if (!(await topicExists(admin, topic)))
      throw new StreamctlError('TOPIC_NOT_FOUND', `target topic "${topic}" does not exist`, {
        hint: `Create it first: \`streamctl topics create ${topic} --partitions N\`.`,
      })
    if (timestamps === 'now') return -1
    const value = (await readTopicConfigs(admin, topic)).find((config) => config.name === 'retention.ms')?.value
    return value === null || value === undefined ? -1 : Number(value)
  })().finally(() => admin.disconnect())
  const producer: Producer = kafka.producer({allowAutoTopicCreation: false})
  await producer.connect()
  let produced = 0
  return {
    async write(records) {
      if (retentionMs >= 0) refusePastRetention(records, {topic, retentionMs, produced, now: Date.now()})
      const sentAt = String(Date.now())
      try {
        await producer.send({
          topic,
          acks: -1,
          messages: records.map((record) => ({
            key: record.key,
            value: record.value,
            timestamp: timestamps === 'now' ? sentAt : String(record.timestamp),
          })),
        })
      } catch (error) {
        throw kafkaFailure(error, `producing to ${topic}`)
      }
      produced += records.length
    },
    close: () => producer.disconnect(),
  }
}

/** Throws before producing a record the topic would delete at once: older than its retention.ms. */
export function refusePastRetention(
  records: readonly ReplayRecord[],
  context: {topic: string; retentionMs: number; produced: number; now: number},
): void {
  const expired = records.find((record) => context.now - record.timestamp > context.retentionMs)
  if (!expired) return
  throw new StreamctlError(
    'REPLAY_PAST_RETENTION',
    `the event at partition ${expired.partition} offset ${expired.offset} is from ${new Date(expired.timestamp).toISOString()}, older than topic "${context.topic}" keeps records (retention.ms ${context.retentionMs}, ${formatDuration(context.retentionMs)}): the broker would delete it at its next retention check${context.produced > 0 ? ` (${context.produced} events before it were produced)` : '; nothing was produced'}`,
    {
      hint: `Pass --timestamps now to give each event the time it is sent (its "ts" is kept), or replay into a topic that keeps records longer (\`streamctl topics create NAME --config retention.ms=-1\` keeps them for good).`,
      details: {
        topic: context.topic,
        retentionMs: context.retentionMs,
        eventTimestamp: new Date(expired.timestamp).toISOString(),
        partition: expired.partition,
        offset: expired.offset,
        produced: context.produced,
      },
    },
  )
}

export interface GatewaySinkOptions {
  url: string
  /** The API key of each user (seeded credentials); `fallbackKey` for users without one. */
  keyOf: (userId: string | null) => string | undefined
  concurrency?: number
}

export async function gatewaySink(options: GatewaySinkOptions): Promise<ReplaySink> {
  const {Pool} = await import('undici')
  const pool = new Pool(options.url, {connections: options.concurrency ?? 16})
  const send = async (record: ReplayRecord) => {
    const key = options.keyOf(record.key)
    if (!key)
      throw new StreamctlError('STACK_NOT_READY', 'no API key to send events to the gateway with', {
        hint: 'Run `streamctl provision` (it seeds users and keys) or pass --api-key.',
      })
    const response = await pool
      .request({
        method: 'POST',
        path: GatewayRoutes.events,
        headers: {'content-type': 'application/json', authorization: `Bearer ${key}`},
        body: record.value,
      })
      .catch((error: Error) => {
        throw new StreamctlError('REPLAY_TARGET_FAILED', `gateway at ${options.url} did not answer: ${error.message}`, {
          hint: 'Check `streamctl status`, or pass the right --gateway URL.',
          cause: error,
        })
      })
    const text = await response.body.text()
    if (response.statusCode !== 202)
      throw new StreamctlError(
        'REPLAY_TARGET_FAILED',
        `gateway answered ${response.statusCode} to event at offset ${record.offset}: ${text.slice(0, 300)}`,
      )
  }
  return {
    async write(records) {
      const lanes = options.concurrency ?? 16
      for (let start = 0; start < records.length; start += lanes)
        await Promise.all(records.slice(start, start + lanes).map(send))
    },
    close: () => pool.close(),
  }
}
