import {Flags} from '@oclif/core'
import {mkdir, access, constants} from 'node:fs/promises'
import {StreamctlCommand} from '../cli/base-command.js'
import {StreamctlError} from '../lib/errors.js'

export interface BrokerResult {
  host: string
  port: number
  dataDir: string
}

export default class Broker extends StreamctlCommand<typeof Broker> {
  static override summary = 'Run the embedded Kafka-compatible broker in the foreground.'
  static override description =
    'A single-node broker that speaks the Kafka wire protocol (kafkajs, librdkafka/kcat and other clients work against it). Topics live in --data-dir as segment files with offset and time indexes; committed offsets and group state survive restarts. Logs are JSON lines on stderr. Stops cleanly on SIGINT or SIGTERM.'
  static override examples = [
    '<%= config.bin %> broker --port 9092 --data-dir ./data/kafka',
    '<%= config.bin %> broker --port 0 --fsync always --no-auto-create-topics',
  ]
  static override flags = {
    host: Flags.string({default: '127.0.0.1', description: 'Address to listen on.'}),
    port: Flags.integer({default: 9092, min: 0, max: 65_535, description: 'Port to listen on (0 picks a free one).'}),
    'advertised-host': Flags.string({description: 'Host name given to clients in metadata (default: --host).'}),
    'data-dir': Flags.directory({
      description: 'Where to keep topics and group state (a temporary directory, deleted on exit, when omitted).',
    }),
    fsync: Flags.option({
      options: ['always', 'interval', 'never'] as const,
      default: 'interval' as const,
      description:
        'When appended records are fsynced: before each acknowledgement, every second, or never (left to the OS).',
    })(),
    'auto-create-topics': Flags.boolean({
      default: true,
      allowNo: true,
      description: 'Create a topic when a client asks for metadata of one that does not exist.',
    }),
    partitions: Flags.integer({default: 1, min: 1, max: 10_000, description: 'Partitions of an auto-created topic.'}),
  }

  async run(): Promise<BrokerResult> {
    const {startBroker} = await import('../broker/broker.js')
    const {flags} = this
    if (flags['data-dir']) await ensureDataDir(flags['data-dir'])
    const broker = await startBroker({
      host: flags.host,
      port: flags.port,
      ...(flags['advertised-host'] ? {advertisedHost: flags['advertised-host']} : {}),
      ...(flags['data-dir'] ? {dataDir: flags['data-dir']} : {}),
      fsync: flags.fsync,
      autoCreateTopics: flags['auto-create-topics'],
      defaultPartitions: flags.partitions,
    })
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve)
      process.once('SIGTERM', resolve)
    })
    await broker.close()
    return {host: broker.host, port: broker.port, dataDir: broker.dataDir}
  }
}

async function ensureDataDir(dir: string): Promise<void> {
  try {
    await mkdir(dir, {recursive: true})
    await access(dir, constants.W_OK)
  } catch (error) {
    throw new StreamctlError(
      'INVALID_FLAG',
      `--data-dir ${dir}: cannot use it as the broker's data directory (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
      {
        hint: 'Point --data-dir at a directory this user can write, or leave it out for a temporary one.',
        cause: error,
      },
    )
  }
}
