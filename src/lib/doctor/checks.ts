// `streamctl doctor`: what this machine has, what the stack needs, and the exact command that
// closes each gap. Pure inspection; fixing lives in fix.ts.
import {findBinary, runQuietly} from '../host/binaries.js'
import {inspectDocker} from '../host/docker.js'
import {isPortFree, portOwner} from '../host/ports.js'
import type {Component, StackManifest} from '../stack/manifest.js'
import type {StackState} from '../stack/state.js'
import {probeAmqp, probePostgres, probeRedis, type ProbeResult} from '../host/probes.js'
import {checkBinaries} from './binary-checks.js'
import type {Finding} from './finding.js'
import {inspectRunningStack, portHolder, type RunningStack} from './stack-ports.js'

export interface DriverReadiness {
  usable: boolean
  reason: string
}

export interface DoctorReport {
  findings: Finding[]
  drivers: {compose: DriverReadiness; local: DriverReadiness}
  /** What `--driver auto` would choose on this machine. */
  autoDriver: 'compose' | 'local'
  /** The stack of the manifest, when its state file says it is up. */
  runningStack?: {name: string; driver: StackState['driver']; stateFile: string; processes: number; running: number}
  ok: boolean
}

export interface DoctorOptions {
  /** The stack's state, when it is up: its own processes' ports are not conflicts. */
  state?: StackState
  /** Where that state was read from, to name it. */
  stateFile?: string
  nodeVersion?: string
}

export const MIN_NODE = [20, 18, 1] as const

interface ServerSpec {
  kind: 'postgres' | 'redis' | 'rabbitmq'
  label: string
  probe: (host: string, port: number) => Promise<ProbeResult>
  binaries: string[]
  packageName: string
  start: string[]
}

const SERVERS: ServerSpec[] = [
  {
    kind: 'postgres',
    label: 'PostgreSQL',
    probe: (host, port) => probePostgres(host, port),
    binaries: ['postgres', 'initdb'],
    packageName: 'postgresql',
    start: ['sh', '-c', 'pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql | sort -n | tail -1) main start'],
  },
  {
    kind: 'redis',
    label: 'Redis',
    probe: (host, port) => probeRedis(host, port),
    binaries: ['redis-server'],
    packageName: 'redis-server',
    start: [
      'redis-server',
      '--daemonize',
      'yes',
      '--bind',
      '127.0.0.1',
      '-::1',
      '--port',
      '6379',
      '--save',
      '',
      '--appendonly',
      'no',
      '--dir',
      '/var/lib/redis',
      '--logfile',
      '/var/log/redis/redis-server.log',
    ],
  },
  {
    kind: 'rabbitmq',
    label: 'RabbitMQ',
    probe: (host, port) => probeAmqp(host, port),
    binaries: ['rabbitmq-server', 'rabbitmqctl'],
    packageName: 'rabbitmq-server',
    start: ['rabbitmq-server', '-detached'],
  },
]

const DEFAULT_PORTS: Record<ServerSpec['kind'], number> = {postgres: 5432, redis: 6379, rabbitmq: 5672}

export async function runDoctor(manifest: StackManifest, options: DoctorOptions = {}): Promise<DoctorReport> {
  const running = options.state ? await inspectRunningStack(options.state) : undefined
  const [runtime, docker, binaries, servers, ports] = await Promise.all([
    checkNode(options.nodeVersion ?? process.versions.node),
    checkDocker(),
    checkBinaries(),
    checkServers(manifest),
    checkPorts(manifest.components, running),
  ])
  const stack = checkStack(manifest.name, running, options.stateFile)
  const findings = [runtime, ...docker, ...binaries, ...servers, stack, ...ports]

  const engine = docker.find((finding) => finding.id === 'docker.engine')
  const compose = docker.find((finding) => finding.id === 'docker.compose')
  const composeUsable = engine?.status === 'ok' && compose?.status === 'ok'
  const serverGaps = servers.filter((finding) => finding.status === 'fail')
  const portConflicts = ports.filter((finding) => finding.status === 'fail')
  const localUsable = runtime.status === 'ok' && serverGaps.length === 0 && portConflicts.length === 0
  const ownPorts = ports.some((finding) => finding.heldByStack !== undefined)
  return {
    findings,
    drivers: {
      compose: {
        usable: composeUsable,
        reason: composeUsable
          ? 'Docker engine and compose answer'
          : engine?.status !== 'ok'
            ? 'no Docker engine answers'
            : 'docker compose is not installed',
      },
      local: {
        usable: localUsable,
        reason: localUsable
          ? `PostgreSQL, Redis and RabbitMQ can be reused or started, and the stack ports are ${ownPorts ? `free or held by stack "${manifest.name}" itself` : 'free'}`
          : [...serverGaps, ...portConflicts, ...(runtime.status === 'ok' ? [] : [runtime])]
              .map((finding) => finding.title)
              .join('; '),
      },
    },
    autoDriver: composeUsable ? 'compose' : 'local',
    ...(running
      ? {
          runningStack: {
            name: running.name,
            driver: running.driver,
            stateFile: options.stateFile ?? '',
            processes: running.processes,
            running: running.running,
          },
        }
      : {}),
    ok: findings.every((finding) => finding.status !== 'fail'),
  }
}

export function checkNode(version: string): Finding {
  const parts = version.split('.').map(Number)
  const tooOld = MIN_NODE.some((minimum, index) => {
    for (let earlier = 0; earlier < index; earlier++) if (parts[earlier] !== MIN_NODE[earlier]) return false
    return (parts[index] ?? 0) < minimum
  })
  const required = MIN_NODE.join('.')
  return {
    id: 'node',
    area: 'runtime',
    title: `Node.js ${version}`,
    status: tooOld ? 'fail' : 'ok',
    detail: tooOld ? `streamctl needs Node.js >= ${required}` : `>= ${required} required`,
    ...(tooOld ? {fix: {command: `install Node.js ${required} or newer (https://nodejs.org/en/download)`}} : {}),
  }
}

async function checkDocker(): Promise<Finding[]> {
  const docker = await inspectDocker()
  const client = docker.client
  if (!client) {
    return [
      {
        id: 'docker.engine',
        area: 'docker',
        title: 'Docker engine',
        status: 'warn',
        detail: 'no docker client on PATH; the compose driver is unavailable and `up` will use the local driver',
        fix: {command: 'install Docker Engine (https://docs.docker.com/engine/install/), or keep using --driver local'},
      },
    ]
  }
  const engineUp = docker.serverVersion !== undefined
  const findings: Finding[] = [
    {
      id: 'docker.engine',
      area: 'docker',
      title: 'Docker engine',
      status: engineUp ? 'ok' : 'warn',
      detail: engineUp
        ? `engine ${docker.serverVersion} (client ${docker.clientVersion})`
        : `client ${docker.clientVersion ?? 'found'} at ${client}, but no engine answers (${docker.reason}); the compose driver is unavailable and \`up\` will use the local driver`,
      ...(engineUp
        ? {}
        : {
            fix: {
              command:
                'start the Docker engine (sudo systemctl start docker) or install it (https://docs.docker.com/engine/install/); or keep using --driver local',
            },
          }),
    },
  ]
  const compose = await runQuietly(client, ['compose', 'version', '--short'])
  findings.push({
    id: 'docker.compose',
    area: 'docker',
    title: 'docker compose',
    status: compose.ok ? 'ok' : 'warn',
    detail: compose.ok ? `compose ${compose.stdout.trim()}` : 'the compose plugin is not installed',
    ...(compose.ok
      ? {}
      : {fix: {command: 'install the Docker Compose plugin (https://docs.docker.com/compose/install/linux/)'}}),
  })
  return findings
}

async function checkServers(manifest: StackManifest): Promise<Finding[]> {
  return Promise.all(
    SERVERS.map(async (server): Promise<Finding> => {
      const component = manifest.components.find((candidate) => candidate.kind === server.kind)
      const port = component?.port ?? DEFAULT_PORTS[server.kind]
      const address = `127.0.0.1:${port}`
      const result = await server.probe('127.0.0.1', port)
      const title = `${server.label} on ${address}`
      if (result.answers) {
        const note = result.note ? `, ${result.note}` : ''
        return {
          id: `server.${server.kind}`,
          area: 'server',
          title,
          status: 'ok',
          detail: `${result.version ?? server.label} answers${note}; the local driver will reuse it`,
        }
      }
      const binaries = await Promise.all(server.binaries.map((name) => findBinary(name)))
      const canStart = binaries.every((found) => found !== undefined)
      return {
        id: `server.${server.kind}`,
        area: 'server',
        title,
        status: canStart ? 'warn' : 'fail',
        detail: canStart
          ? `not answering (${result.note ?? 'no reply'}); the local driver will start its own from ${binaries[0]}`
          : `not answering (${result.note ?? 'no reply'}) and ${server.binaries.join('/')} not installed, so the local driver cannot provide it`,
        fix: canStart
          ? {command: server.start.map(shellQuote).join(' '), start: server.start}
          : {
              command: `apt-get install -y ${server.packageName} && ${server.start.map(shellQuote).join(' ')}`,
              packages: [server.packageName],
              start: server.start,
            },
      }
    }),
  )
}

/** Whether the manifest's stack is up, from its state file: the stack whose ports doctor may find in use. */
export function checkStack(name: string, running: RunningStack | undefined, stateFile = 'its state file'): Finding {
  const title = `stack "${name}"`
  if (!running) return {id: 'stack', area: 'stack', title, status: 'ok', detail: `not up (no ${stateFile})`}
  const processes = running.processes === 0 ? '' : `, ${running.running} of ${running.processes} processes running`
  const detail = `up with the ${running.driver} driver${processes} (state: ${stateFile})`
  if (running.running === running.processes) return {id: 'stack', area: 'stack', title, status: 'ok', detail}
  return {
    id: 'stack',
    area: 'stack',
    title,
    status: 'warn',
    detail: `${detail}; the others have stopped`,
    fix: {command: '`streamctl status` names them; `streamctl down` then `streamctl up` starts the stack again'},
  }
}

/**
 * Ports the local driver binds itself (the broker, the registry, the services) must be free, or
 * held by this stack's own processes (it is up: a second `up` changes nothing).
 */
async function checkPorts(components: Component[], running?: RunningStack): Promise<Finding[]> {
  const bound = components.filter(
    (component) => component.kind === 'kafka' || component.kind === 'schema-registry' || component.kind === 'service',
  )
  const entries = bound.flatMap((component) => [
    {component: component.name, label: 'port', port: component.port},
    ...Object.entries(component.ports).map(([label, port]) => ({component: component.name, label, port})),
  ])
  return Promise.all(
    entries.map(async ({component, label, port}): Promise<Finding> => {
      const title = `port ${port} (${component}${label === 'port' ? '' : ` ${label}`})`
      if (await isPortFree(port)) return {id: `port.${port}`, area: 'port', title, status: 'ok', detail: 'free'}
      const owner = await portOwner(port)
      const holder = portHolder(port, owner, running)
      if (holder) {
        const heldByStack = {component: holder.component, ...(holder.pid ? {pid: holder.pid} : {})}
        return {
          id: `port.${port}`,
          area: 'port',
          title,
          status: 'ok',
          detail: `in use by this stack (${holder.component}${holder.pid ? `, pid ${holder.pid}` : ''})`,
          heldByStack,
        }
      }
      const who = owner ? `${owner.command} (pid ${owner.pid})` : 'another process'
      return {
        id: `port.${port}`,
        area: 'port',
        title,
        status: 'fail',
        detail: `in use by ${who}`,
        fix: {
          command: owner
            ? `stop ${owner.command} (kill ${owner.pid}), or change components.${component}.${label === 'port' ? 'port' : `ports.${label}`} in stack.yaml`
            : `free port ${port}, or change components.${component}.port in stack.yaml`,
        },
      }
    }),
  )
}

export function shellQuote(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`
}
