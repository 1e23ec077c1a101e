// Finding the programs the local driver and the tests may run, and asking them their version.
import {execFile} from 'node:child_process'
import {access, constants, readdir} from 'node:fs/promises'
import path from 'node:path'

/** Where Debian installs PostgreSQL's server binaries, outside PATH. */
const EXTRA_DIRS = async (): Promise<string[]> => {
  const versions = await readdir('/usr/lib/postgresql').catch(() => [] as string[])
  return versions
    .sort((a, b) => Number(b) - Number(a))
    .map((version) => `/usr/lib/postgresql/${version}/bin`)
    .concat(['/usr/sbin', '/sbin'])
}

/** Absolute path of an executable on PATH (or in the usual server directories), if any. */
export async function findBinary(name: string, env: NodeJS.ProcessEnv = process.env): Promise<string | undefined> {
  const dirs = (env.PATH ?? '')
    .split(path.delimiter)
    .filter(Boolean)
    .concat(await EXTRA_DIRS())
  for (const dir of dirs) {
    const candidate = path.join(dir, name)
    try {
      await access(candidate, constants.X_OK)
      return candidate
    } catch {
      // not here
    }
  }
  return undefined
}

export interface CommandOutput {
  ok: boolean
  exitCode: number | null
  stdout: string
  stderr: string
}

/** Runs a program to completion with a timeout; never throws. */
export function runQuietly(
  file: string,
  args: string[],
  timeoutMs = 5000,
  env: NodeJS.ProcessEnv = process.env,
): Promise<CommandOutput> {
  return new Promise((resolve) => {
    execFile(file, args, {timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024, env}, (error, stdout, stderr) => {
      const exitCode = error ? (typeof error.code === 'number' ? error.code : null) : 0
      resolve({ok: !error, exitCode, stdout: stdout.toString(), stderr: stderr.toString()})
    })
  })
}
