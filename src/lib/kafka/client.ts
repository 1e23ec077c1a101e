// One kafkajs admin connection per command, quiet (kafkajs logs nothing of its own), with its
// failures turned into StreamctlErrors that say which brokers did not answer.
import type {Admin, Kafka} from 'kafkajs'
import {StreamctlError} from '../errors.js'

export interface KafkaAdmin {
  kafka: Kafka
  admin: Admin
  brokers: string[]
}

/** Connects an admin client; KAFKA_UNAVAILABLE (exit 3) when no broker answers. */
export async function connectAdmin(brokers: string[], clientId = 'streamctl-admin'): Promise<KafkaAdmin> {
  const {Kafka, logLevel} = await import('kafkajs')
  const kafka = new Kafka({
    clientId,
    brokers,
    logLevel: logLevel.NOTHING,
    connectionTimeout: 3000,
    requestTimeout: 15_000,
    retry: {retries: 2, initialRetryTime: 200},
  })
  const admin = kafka.admin()
  try {
    await admin.connect()
  } catch (error) {
    throw new StreamctlError(
      'KAFKA_UNAVAILABLE',
      `no Kafka broker answers at ${brokers.join(', ')}: ${(error as Error).message}`,
      {
        hint: 'Check that the stack is up (`streamctl status`) or pass the right --brokers.',
        cause: error,
      },
    )
  }
  return {kafka, admin, brokers}
}

/** Runs `work` with a connected admin and always disconnects it. */
export async function withAdmin<T>(brokers: string[], work: (client: KafkaAdmin) => Promise<T>): Promise<T> {
  const client = await connectAdmin(brokers)
  try {
    return await work(client)
  } catch (error) {
    throw kafkaFailure(error, 'the Kafka request failed')
  } finally {
    await client.admin.disconnect().catch(() => {}) // best effort: the outcome is already decided and a broken connection has nothing left to close
  }
}

/** kafkajs errors carry a protocol error `type` (e.g. TOPIC_ALREADY_EXISTS); this keeps it visible. */
export function kafkaFailure(error: unknown, what: string): StreamctlError {
  if (error instanceof StreamctlError) return error
  const type = protocolErrorType(error)
  const message = error instanceof Error ? error.message : String(error)
  if (/connect|ECONNREFUSED|Connection (?:timeout|error)|socket/i.test(message) && !type) {
    return new StreamctlError('KAFKA_UNAVAILABLE', `${what}: ${message}`, {
      hint: 'Check that the broker is up (`streamctl status`).',
      cause: error,
    })
  }
  return new StreamctlError(
    'KAFKA_REQUEST_FAILED',
    `${what}: ${message}${type && !message.includes(type) ? ` (${type})` : ''}`,
    {cause: error, ...(type ? {details: {kafkaError: type}} : {})},
  )
}

/** The Kafka protocol error name of a kafkajs error, or of the first error it wraps. */
export function protocolErrorType(error: unknown): string | undefined {
  const candidate = error as {type?: unknown; errors?: unknown[]; originalError?: unknown} | undefined
  if (!candidate || typeof candidate !== 'object') return undefined
  if (typeof candidate.type === 'string') return candidate.type
  for (const inner of candidate.errors ?? []) {
    const type = protocolErrorType(inner)
    if (type) return type
  }
  return candidate.originalError ? protocolErrorType(candidate.originalError) : undefined
}
