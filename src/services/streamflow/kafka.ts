// kafkajs for the read-side services, imported lazily: one client per service, quiet logs routed
// to the service's logger, and JSON decoding that turns a bad record into `undefined` (skipped and
// counted by the consumer, never retried forever).
import type {Kafka, logLevel as LogLevel} from 'kafkajs'

export interface KafkaLog {
  warn(message: string, fields?: Record<string, unknown>): void
}

export async function openKafka(clientId: string, brokers: string[], log?: KafkaLog): Promise<Kafka> {
  const kafkajs = await import('kafkajs')
  const level: LogLevel = kafkajs.logLevel.WARN
  return new kafkajs.Kafka({
    clientId,
    brokers,
    logLevel: level,
    retry: {retries: 8, initialRetryTime: 100},
    logCreator: () => (entry) => {
      if (entry.level <= kafkajs.logLevel.WARN) log?.warn(`kafka: ${entry.log.message}`, {namespace: entry.namespace})
    },
  })
}

export function decodeJson<T>(value: Buffer | null): T | undefined {
  if (!value) return undefined
  try {
    const parsed = JSON.parse(value.toString('utf8')) as unknown
    return parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as T) : undefined
  } catch {
    return undefined
  }
}
