// The binaries the local driver and the broker checks use (PostgreSQL, Redis, RabbitMQ, kcat):
// found or not, their versions read without side effects, and the package that provides each.
import {findBinary, runQuietly} from '../host/binaries.js'
import type {Finding} from './finding.js'

interface BinarySpec {
  names: string[]
  packageName: string
  why: string
  /** How to learn the version without side effects (never run a server binary to ask). */
  version: (file: string) => Promise<string | undefined>
}

const fromOutput = (args: string[], pattern: RegExp) => async (file: string) => {
  const output = await runQuietly(file, args)
  const match = pattern.exec(`${output.stdout}\n${output.stderr}`)
  return match ? match.slice(1).filter(Boolean).join(', ') : undefined
}
const fromPackage = (name: string) => async () => {
  const output = await runQuietly('dpkg-query', ['-W', '-f', '${Version}', name])
  return output.ok && output.stdout.trim() !== '' ? `package ${output.stdout.trim()}` : undefined
}

const BINARIES: BinarySpec[] = [
  {
    names: ['postgres', 'initdb'],
    packageName: 'postgresql',
    why: 'lets the local driver start its own PostgreSQL',
    version: fromOutput(['--version'], /(\d+\.\d+(?:\.\d+)?)/),
  },
  {
    names: ['redis-server'],
    packageName: 'redis-server',
    why: 'lets the local driver start its own Redis',
    version: fromOutput(['--version'], /v=(\d+\.\d+\.\d+)/),
  },
  {
    names: ['rabbitmq-server', 'rabbitmqctl'],
    packageName: 'rabbitmq-server',
    why: 'lets the local driver start its own RabbitMQ',
    version: fromPackage('rabbitmq-server'),
  },
  {
    names: ['kcat'],
    packageName: 'kcat',
    why: 'an independent Kafka client (librdkafka) for checking the broker',
    version: fromOutput(['-V'], /Version (\S+).*?(librdkafka [\d.]+)/),
  },
]

export async function checkBinaries(): Promise<Finding[]> {
  return Promise.all(
    BINARIES.map(async (spec): Promise<Finding> => {
      const paths = await Promise.all(spec.names.map((name) => findBinary(name)))
      const missing = spec.names.filter((_, index) => paths[index] === undefined)
      const title = spec.names.join(', ')
      if (missing.length > 0) {
        return {
          id: `binary.${spec.names[0]}`,
          area: 'binary',
          title,
          status: 'warn',
          detail: `${missing.join(', ')} not found; it ${spec.why}`,
          fix: {command: `apt-get install -y ${spec.packageName}`, packages: [spec.packageName]},
        }
      }
      const version = await spec.version(paths[0]!)
      return {
        id: `binary.${spec.names[0]}`,
        area: 'binary',
        title,
        status: 'ok',
        detail: `${paths[0]}${version ? ` (${version})` : ''}`,
      }
    }),
  )
}
