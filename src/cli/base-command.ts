// What every streamctl command shares: --json, the output mode, progress reporting, and errors
// left to the one top-level handler in main.ts.
import {Command, Flags, ux, type Interfaces} from '@oclif/core'
import {chooseOutputMode, useColor, type OutputMode} from '../lib/ui/output-mode.js'
import type {ProgressReporter} from '../lib/ui/reporter.js'
import {resolveStackDir, STACK_ENV} from '../lib/stack/locate.js'
import {loadStack, type Stack} from '../lib/stack/load-stack.js'
import type {ExitCode} from '../lib/errors.js'

export type CommandFlags<T extends typeof Command> = Interfaces.InferredFlags<
  (typeof StreamctlCommand)['baseFlags'] & T['flags']
>
export type CommandArgs<T extends typeof Command> = Interfaces.InferredArgs<T['args']>

/** The --stack flag, for commands that work on a stack. */
export const stackFlag = Flags.directory({
  description: `Stack directory holding stack.yaml [env: ${STACK_ENV}] (default: ./stack.yaml if present, else the reference stack)`,
  helpGroup: 'STACK',
})

export abstract class StreamctlCommand<T extends typeof Command> extends Command {
  static override enableJsonFlag = true

  protected flags!: CommandFlags<T>
  protected args!: CommandArgs<T>
  private cachedMode: OutputMode | undefined

  override async init(): Promise<void> {
    await super.init()
    const {args, flags} = await this.parse({
      args: this.ctor.args,
      baseFlags: (super.ctor as typeof StreamctlCommand).baseFlags,
      enableJsonFlag: this.ctor.enableJsonFlag,
      flags: this.ctor.flags,
      strict: this.ctor.strict,
    })
    this.flags = flags as CommandFlags<T>
    this.args = args as CommandArgs<T>
  }

  /** Errors go to main.ts, which maps them to exit codes and the --json error shape. */
  protected override async catch(error: Error & {exitCode?: number}): Promise<unknown> {
    throw error
  }

  /**
   * The --json result. oclif colours it token by token, whether or not there is a theme to colour
   * it with (15 ms of CPU for a 20-second run's record, and more the longer the run); without a
   * JSON theme that leaves the text as JSON.stringify wrote it, so it is written as is.
   */
  protected override logJson(json: unknown): void {
    if (this.config.theme?.json) super.logJson(json)
    else ux.stdout(JSON.stringify(json, null, 2))
  }

  protected get outputMode(): OutputMode {
    this.cachedMode ??= chooseOutputMode({
      json: this.jsonEnabled(),
      isTTY: process.stdout.isTTY === true,
      env: process.env,
    })
    return this.cachedMode
  }

  protected get color(): boolean {
    return useColor(this.outputMode, process.env)
  }

  /** The terminal's width for output to fit, in the live view only: pipes, CI and files get every column. */
  protected get terminalWidth(): number | undefined {
    return this.outputMode === 'live' ? process.stdout.columns || undefined : undefined
  }

  /** Human output: printed unless --json is on (then the returned value is the output). */
  protected print(text = ''): void {
    if (!this.jsonEnabled()) process.stdout.write(`${text}\n`)
  }

  /** A progress reporter suited to the output mode; close it before printing a summary. */
  protected async reporter(): Promise<ProgressReporter> {
    const {createReporter} = await import('../lib/ui/create-reporter.js')
    return createReporter(this.outputMode)
  }

  /**
   * Runs `work` with a progress reporter and a signal that Ctrl-C aborts (with the reason
   * `interrupted` gives, if any), then closes the reporter so a summary can be printed.
   */
  protected async withProgress<R>(
    work: (context: {reporter: ProgressReporter; signal: AbortSignal}) => Promise<R>,
    interrupted?: () => Error,
  ): Promise<R> {
    const reporter = await this.reporter()
    const controller = new AbortController()
    const onSignal = () => controller.abort(interrupted?.())
    process.once('SIGINT', onSignal)
    try {
      return await work({reporter, signal: controller.signal})
    } catch (error) {
      throw interrupted && controller.signal.aborted ? controller.signal.reason : error
    } finally {
      process.off('SIGINT', onSignal)
      await reporter.close()
    }
  }

  protected async loadStack(stackFlagValue: string | undefined): Promise<Stack> {
    return loadStack(resolveStackDir(stackFlagValue))
  }

  /** For results that are not errors but must still change the exit code (SLA failed: 99). */
  protected setExitCode(code: ExitCode): void {
    process.exitCode = code
  }
}
