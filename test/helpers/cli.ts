// Runs the built CLI the way a user does: `node bin/run.js …` as a child process.
import {execa} from 'execa'
import path from 'node:path'
import {fileURLToPath} from 'node:url'

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')
export const BIN = path.join(ROOT, 'bin', 'run.js')

export interface CliResult {
  exitCode: number
  stdout: string
  stderr: string
}

export async function runCli(
  args: string[],
  options: {env?: NodeJS.ProcessEnv; cwd?: string; nodeArgs?: string[]; timeoutMs?: number} = {},
): Promise<CliResult> {
  const result = await execa(process.execPath, [...(options.nodeArgs ?? []), BIN, ...args], {
    cwd: options.cwd ?? ROOT,
    // A test run on GitHub Actions must not append its benches to the job summary: a test that wants one sets it.
    env: {GITHUB_STEP_SUMMARY: undefined, ...options.env, FORCE_COLOR: '0'},
    reject: false,
    timeout: options.timeoutMs ?? 60_000,
    stdin: 'ignore',
  })
  return {exitCode: result.exitCode ?? -1, stdout: String(result.stdout), stderr: String(result.stderr)}
}
