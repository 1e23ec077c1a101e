// The embedded Kafka-compatible broker: one node that is leader of every partition and coordinator
// of every group, listening on one TCP port. startBroker() recovers the data directory, then serves.
import {randomUUID} from 'node:crypto'
import {existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync} from 'node:fs'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import {listen} from '../lib/host/ports.js'
import {BrokerConnection} from './connection.js'
import type {BrokerContext} from './context.js'
import {GroupCoordinator} from './group/coordinator.js'
import {GroupStore} from './group/group-store.js'
import {FlushScheduler, type FsyncPolicy} from './log/flush-policy.js'
import {TopicStore} from './log/topic-store.js'
import {jsonLogger, type BrokerLogger} from './logger.js'
import {buildControlBatch} from './protocol/control-batch.js'
import {validateBatches} from './protocol/record-batch.js'
import {DEFAULT_MAX_TRANSACTION_TIMEOUT_MS, TransactionCoordinator} from './txn/coordinator.js'
import {TransactionStore} from './txn/transaction-store.js'

export interface BrokerOptions {
  host?: string
  /** 0 picks a free port. */
  port?: number
  /** Host name clients are told to connect to (Metadata, FindCoordinator); defaults to host. */
  advertisedHost?: string
  /** Port clients are told to connect to, when they reach the broker through a proxy or forward. */
  advertisedPort?: number
  /** Where logs, topic configs and group state live; a temporary directory (deleted on close) when omitted. */
  dataDir?: string
  fsync?: FsyncPolicy
  fsyncIntervalMs?: number
  autoCreateTopics?: boolean
  defaultPartitions?: number
  /** Largest request frame accepted; a bigger size prefix closes the connection. */
  maxFrameBytes?: number
  initialRebalanceDelayMs?: number
  retentionCheckMs?: number
  /** How often open transactions are checked against their timeout (and aborted past it). */
  transactionTimeoutCheckMs?: number
  logger?: BrokerLogger
}

export interface RunningBroker {
  host: string
  port: number
  dataDir: string
  close(): Promise<void>
}

export const DEFAULT_MAX_FRAME_BYTES = 100 * 1024 * 1024

export async function startBroker(options: BrokerOptions = {}): Promise<RunningBroker> {
  const logger = options.logger ?? jsonLogger()
  const ephemeral = options.dataDir === undefined
  const dataDir = options.dataDir ?? mkdtempSync(path.join(os.tmpdir(), 'streamctl-broker-'))
  mkdirSync(dataDir, {recursive: true})
  const clusterId = clusterIdOf(dataDir)
  const topics = new TopicStore(dataDir)
  topics.load({
    onRecovered: (topic, partition, truncatedBytes) =>
      logger.log('warn', 'recovered torn log tail', {topic, partition, truncatedBytes}),
  })
  const fsync = options.fsync ?? 'interval'
  const flush = new FlushScheduler(fsync, options.fsyncIntervalMs ?? 1000, (error) =>
    logger.log('debug', 'background fsync failed', {
      reason: 'waiting produces get the error; the segment stays dirty for its next flush, roll or shutdown',
      error: error instanceof Error ? error.message : String(error),
    }),
  )
  const coordinator = new GroupCoordinator(new GroupStore(dataDir, fsync), {
    initialRebalanceDelayMs: options.initialRebalanceDelayMs ?? 300,
    partitionExists: (topic, partition) => topics.partition(topic, partition) !== undefined,
    onEvicted: (group, members) => logger.log('info', 'members evicted after session timeout', {group, members}),
  })
  let producerId = Date.now() * 1000
  const transactions = new TransactionCoordinator(
    new TransactionStore(dataDir, fsync),
    {
      nextProducerId: () => ++producerId,
      highWatermark: (topic, partition) => topics.partition(topic, partition)?.log.highWatermark,
      appendMarker: (topic, partition, marker, producer) => {
        const target = topics.partition(topic, partition)
        if (!target) return undefined
        const records = buildControlBatch(marker, producer)
        const validated = validateBatches(records)
        if ('problem' in validated) throw new Error(`a ${marker} marker failed validation: ${validated.problem}`)
        const {baseOffset, segment} = target.log.append(records, validated.batches)
        return {offset: baseOffset, durable: flush.afterAppend(segment)}
      },
      commitOffsets: (offsets) => coordinator.commitTransactionalOffsets(offsets),
      onAborted: (transactionalId, reason) => logger.log('info', 'transaction aborted', {transactionalId, reason}),
      onBackgroundFailure: (error) =>
        logger.log('error', 'aborting a timed-out transaction failed', {
          reason: 'it stays open and the next timeout check tries again',
          error: error instanceof Error ? error.message : String(error),
        }),
    },
    {
      maxTimeoutMs: DEFAULT_MAX_TRANSACTION_TIMEOUT_MS,
      timeoutCheckMs: options.transactionTimeoutCheckMs ?? 1000,
    },
  )
  await transactions.recover()
  let signalClosing!: () => void
  const closing = new Promise<void>((resolve) => {
    signalClosing = resolve
  })
  const host = options.host ?? '127.0.0.1'
  const connections = new Set<BrokerConnection>()
  const context: BrokerContext = {
    node: {nodeId: 1, host: options.advertisedHost ?? host, port: 0},
    clusterId,
    topics,
    coordinator,
    transactions,
    flush,
    autoCreateTopics: options.autoCreateTopics ?? true,
    defaultPartitions: options.defaultPartitions ?? 1,
    logger,
    nextProducerId: () => ++producerId,
    closing,
  }
  const server = net.createServer((socket) => {
    const connection = new BrokerConnection(socket, context, options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES)
    connections.add(connection)
    socket.on('close', () => connections.delete(connection))
  })
  await listen(server, host, options.port ?? 9092)
  const port = (server.address() as net.AddressInfo).port
  context.node.port = options.advertisedPort ?? port
  const retention = setInterval(() => {
    for (const partition of topics.all()) {
      const deleted = partition.log.enforceRetention(Date.now())
      if (deleted > 0)
        logger.log('info', 'retention deleted segments', {
          topic: partition.topic,
          partition: partition.index,
          segments: deleted,
          logStartOffset: partition.log.logStartOffset,
        })
    }
  }, options.retentionCheckMs ?? 30_000)
  retention.unref()
  logger.log('info', 'broker listening', {
    host,
    port,
    advertisedHost: context.node.host,
    dataDir,
    fsync,
    topics: topics.names().length,
  })

  let closed: Promise<void> | undefined
  return {
    host,
    port,
    dataDir,
    close: () =>
      (closed ??= (async () => {
        signalClosing()
        clearInterval(retention)
        await new Promise<void>((resolve) => {
          server.close(() => resolve())
          for (const connection of connections) connection.close()
        })
        coordinator.close()
        transactions.close()
        await flush.close()
        topics.close()
        if (ephemeral) rmSync(dataDir, {recursive: true, force: true})
        logger.log('info', 'broker stopped', {dataDir})
      })()),
  }
}

/** A stable cluster id per data directory, as clients expect from Metadata v2+. */
function clusterIdOf(dataDir: string): string {
  const file = path.join(dataDir, 'meta.properties')
  if (existsSync(file)) {
    const match = /cluster\.id=(\S+)/.exec(readFileSync(file, 'utf8'))
    if (match) return match[1]!
  }
  const id = randomUUID().replaceAll('-', '').slice(0, 22)
  writeFileSync(file, `version=1\ncluster.id=${id}\nnode.id=1\n`)
  return id
}
