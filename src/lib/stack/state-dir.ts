// Where streamctl keeps a stack's runtime state (pids, ports, logs, generated credentials), so
// `status`, `logs`, `down` and `bench` work from any shell: $STREAMCTL_STATE_DIR, else
// $XDG_STATE_HOME/streamctl/<stack>, else ~/.local/state/streamctl/<stack>.
import {chmod, mkdir, rename, writeFile} from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'

export const STATE_DIR_ENV = 'STREAMCTL_STATE_DIR'

export function stateDirFor(stackName: string, env: NodeJS.ProcessEnv = process.env): string {
  const override = env[STATE_DIR_ENV]
  if (override) return path.resolve(override, stackName)
  const base = env.XDG_STATE_HOME || path.join(os.homedir(), '.local', 'state')
  return path.join(base, 'streamctl', stackName)
}

/**
 * Writes a secret (API keys, the admin token) into the state directory: the file mode 0600 in a
 * directory of mode 0700, replaced atomically so a reader never sees half of it. Returns its path.
 */
export async function writePrivateFile(stateDir: string, fileName: string, text: string): Promise<string> {
  await mkdir(stateDir, {recursive: true, mode: 0o700})
  // mkdir leaves the mode of a directory that already existed (the local driver makes it for its logs).
  await chmod(stateDir, 0o700)
  const file = path.join(stateDir, fileName)
  const temporary = `${file}.${process.pid}.tmp`
  await writeFile(temporary, text, {mode: 0o600})
  await chmod(temporary, 0o600)
  await rename(temporary, file)
  return file
}
