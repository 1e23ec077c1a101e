// Targets that re-send what they are given: `topic:<name>` produces each record to another topic
// with its key and original timestamp (so time-based seeks on the copy find the same records), and
// `gateway` POSTs each event to the gateway's command side as a client would.
import type {Kafka, Producer} from 'kafkajs'
import {StreamctlError} from '../errors.js'
import {kafkaFailure} from '../kafka/client.js'
import {topicExists} from '../kafka/topics.js'
import {GatewayRoutes} from '../stack/api.js'
import type {ReplayRecord} from './replay-record.js'

export interface ReplaySink {
  write(records: readonly ReplayRecord[]): Promise<void>
  close(): Promise<void>
}

export async function topicSink(kafka: Kafka, topic: string): Promise<ReplaySink> {
  const admin = kafka.admin()
  await admin.connect()
  const exists = await topicExists(admin, topic).finally(() => admin.disconnect())
  if (!exists) throw new StreamctlError('TOPIC_NOT_FOUND', `target topic "${topic}" does not exist`, {hint: `Create it first: \`streamctl topics create ${topic} --partitions N\`.`})
  const producer: Producer = kafka.producer({allowAutoTopicCreation: false})
  await producer.connect()
  return {
    async write(records) {
      try {
        await producer.send({topic, acks: -1, messages: records.map((record) => ({key: record.key, value: record.value, timestamp: String(record.timestamp)}))})
      } catch (error) {
        throw kafkaFailure(error, `producing to ${topic}`)
      }
    },
    close: () => producer.disconnect(),
  }
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
    if (!key) throw new StreamctlError('STACK_NOT_READY', 'no API key to send events to the gateway with', {hint: 'Run `streamctl provision` (it seeds users and keys) or pass --api-key.'})
    const response = await pool.request({method: 'POST', path: GatewayRoutes.events, headers: {'content-type': 'application/json', authorization: `Bearer ${key}`}, body: record.value}).catch((error: Error) => {
      throw new StreamctlError('REPLAY_TARGET_FAILED', `gateway at ${options.url} did not answer: ${error.message}`, {hint: 'Check `streamctl status`, or pass the right --gateway URL.', cause: error})
    })
    const text = await response.body.text()
    if (response.statusCode !== 202) throw new StreamctlError('REPLAY_TARGET_FAILED', `gateway answered ${response.statusCode} to event at offset ${record.offset}: ${text.slice(0, 300)}`)
  }
  return {
    async write(records) {
      const lanes = options.concurrency ?? 16
      for (let start = 0; start < records.length; start += lanes) await Promise.all(records.slice(start, start + lanes).map(send))
    },
    close: () => pool.close(),
  }
}
