// Is there a Docker engine here — not just the client? The compose driver needs one.
import {findBinary, runQuietly} from './binaries.js'

export interface DockerEngine {
  /** Path of the docker client, if installed. */
  client?: string
  clientVersion?: string
  /** The engine's version when one answers. */
  serverVersion?: string
  /** Why no engine answered (the client's first error line). */
  reason?: string
}

export async function inspectDocker(env: NodeJS.ProcessEnv = process.env): Promise<DockerEngine> {
  const client = await findBinary('docker', env)
  if (!client) return {reason: 'no docker client on PATH'}
  const [version, info] = await Promise.all([
    runQuietly(client, ['version', '--format', '{{.Client.Version}}']),
    runQuietly(client, ['info', '--format', '{{.ServerVersion}}'], 8000),
  ])
  const serverVersion = info.stdout.trim()
  const clientVersion = version.stdout.trim()
  if (info.ok && serverVersion !== '') return {client, clientVersion, serverVersion}
  return {
    client,
    ...(clientVersion ? {clientVersion} : {}),
    reason: (info.stderr.split('\n').find((line) => line.trim() !== '') ?? 'no answer').trim(),
  }
}
