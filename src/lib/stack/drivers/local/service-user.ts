// PostgreSQL and RabbitMQ refuse to run as root. When streamctl runs as root, their servers run
// as the distribution's service user, with data in a directory that user owns and can reach.
import {chown, mkdir} from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import {runQuietly} from '../../../host/binaries.js'

export const isRoot = (): boolean => process.getuid?.() === 0

interface UserIds {
  uid: number
  gid: number
}

async function lookupUser(name: string): Promise<UserIds | undefined> {
  const [uid, gid] = await Promise.all([runQuietly('id', ['-u', name]), runQuietly('id', ['-g', name])])
  return uid.ok && gid.ok ? {uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim())} : undefined
}

/**
 * A data directory for a private server. Normally under the stack's state directory; as root, in
 * the system temp directory (the state directory under /root is not reachable by service users),
 * owned by `user`.
 */
export async function privateDataDir(stateDir: string, stackName: string, kind: string, user: string): Promise<string> {
  if (!isRoot()) {
    const dir = path.join(stateDir, 'data', kind)
    await mkdir(dir, {recursive: true})
    return dir
  }
  const dir = path.join(os.tmpdir(), `streamctl-${stackName}-${kind}`)
  await mkdir(dir, {recursive: true, mode: 0o700})
  const ids = await lookupUser(user)
  if (ids) await chown(dir, ids.uid, ids.gid)
  return dir
}

/** `command args` as `user` when we are root (via runuser), unchanged otherwise. */
export function asServiceUser(user: string, command: string, args: string[]): {command: string; args: string[]} {
  return isRoot() ? {command: 'runuser', args: ['-u', user, '--', command, ...args]} : {command, args}
}
