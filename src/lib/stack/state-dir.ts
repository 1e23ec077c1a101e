// Where streamctl keeps a stack's runtime state (pids, ports, logs, generated credentials), so
// `status`, `logs`, `down` and `bench` work from any shell: $STREAMCTL_STATE_DIR, else
// $XDG_STATE_HOME/streamctl/<stack>, else ~/.local/state/streamctl/<stack>.
import os from 'node:os'
import path from 'node:path'

export const STATE_DIR_ENV = 'STREAMCTL_STATE_DIR'

export function stateDirFor(stackName: string, env: NodeJS.ProcessEnv = process.env): string {
  const override = env[STATE_DIR_ENV]
  if (override) return path.resolve(override, stackName)
  const base = env.XDG_STATE_HOME || path.join(os.homedir(), '.local', 'state')
  return path.join(base, 'streamctl', stackName)
}
