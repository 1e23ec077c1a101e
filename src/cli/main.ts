// The top-level handler: runs oclif, and maps every error to its exit code and output shape.
// Imports stay minimal here: this module is on the path of every `--help`.
import {run} from '@oclif/core/run'
import {flush} from '@oclif/core/flush'
import {errorToJson, type StreamctlError} from '../lib/errors.js'

export interface MainOptions {
  /** Run commands from src/ through tsx (bin/dev.js). */
  development?: boolean
}

export async function main(argv: string[], root: string | URL, options: MainOptions = {}): Promise<void> {
  if (options.development) process.env.NODE_ENV = 'development'
  try {
    await run(argv, typeof root === 'string' ? root : root.href)
    await flush()
  } catch (error) {
    // `this.exit(n)` inside a command: the command already said what it had to.
    if (isExitRequest(error)) {
      process.exitCode = error.oclif.exit
      return
    }
    const {toStreamctlError} = await import('./to-streamctl-error.js')
    const failure = toStreamctlError(error)
    if (wantsJson(argv)) process.stdout.write(`${JSON.stringify(errorToJson(failure), null, 2)}\n`)
    else process.stderr.write(renderError(failure, process.stderr.isTTY === true && !process.env.NO_COLOR))
    if (process.env.STREAMCTL_DEBUG && failure.cause instanceof Error)
      process.stderr.write(`${failure.cause.stack ?? ''}\n`)
    process.exitCode = failure.exitCode
  }
}

function wantsJson(argv: string[]): boolean {
  const end = argv.indexOf('--')
  return (end === -1 ? argv : argv.slice(0, end)).includes('--json')
}

function isExitRequest(error: unknown): error is {oclif: {exit: number}} {
  return (
    (error as {code?: string} | null)?.code === 'EEXIT' &&
    typeof (error as {oclif?: {exit?: unknown}}).oclif?.exit === 'number'
  )
}

export function renderError(error: StreamctlError, color: boolean): string {
  const red = (text: string) => (color ? `\u001B[31m${text}\u001B[39m` : text)
  const dim = (text: string) => (color ? `\u001B[2m${text}\u001B[22m` : text)
  const lines = [`${red('Error')} ${dim(`[${error.code}]`)}: ${error.message}`]
  if (error.hint) lines.push(`  ${error.hint}`)
  return `${lines.join('\n')}\n`
}
