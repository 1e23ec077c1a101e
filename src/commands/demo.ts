import {Flags} from '@oclif/core'
import {StreamctlCommand, stackFlag} from '../cli/base-command.js'
import {durationFlag, rateFlag} from '../cli/flags.js'
import {ExitCode} from '../lib/errors.js'
import type {DemoOptions} from '../lib/bench/demo.js'
import type {SlaVerdict} from '../lib/sla/evaluate.js'
import type {SlaFailedJson} from '../lib/sla/verdict-text.js'
import type {WrittenReport} from '../lib/report/write-reports.js'

export interface DemoResult {
  stack: string
  driver: string
  /** The run record and the HTML report. */
  reports: WrittenReport[]
  html: string
  sla: SlaVerdict
  /** Present when the verdict failed (exit 99): the same shape as every `--json` error. */
  error?: SlaFailedJson
}

export default class Demo extends StreamctlCommand<typeof Demo> {
  static override summary =
    'The first thing to run: bring the reference stack up, provision it, run a short `peak` bench and show the verdict and the HTML report.'
  static override description = `Runs \`up\` (auto driver: Docker Compose when a Docker engine answers, otherwise every component as a local process on the PostgreSQL, Redis and RabbitMQ already on this machine), then \`provision\`, then \`bench peak\` for --duration at a modest rate after an unrecorded --warmup, judged by the manifest's SLA targets with the quota accounting after drain. Prints the summary and the path of the HTML report; exits 99 when an SLA target failed. The stack stays up afterwards: explore it with \`streamctl status\`, run more profiles with \`streamctl bench\`, stop it with \`streamctl down\`.`
  static override examples = [
    '<%= config.bin %> demo',
    '<%= config.bin %> demo --duration 2m --rate 20',
    '<%= config.bin %> demo --driver local --out ./demo-runs',
  ]
  static override flags = {
    driver: Flags.string({
      options: ['auto', 'compose', 'local'],
      default: 'auto',
      description: 'How to run the stack (see `up`).',
    }),
    duration: durationFlag({
      default: 90_000,
      defaultHelp: async () => '90s',
      description:
        'Length of the peak bench. The default gives each percentile target enough samples to be decided (a p99 needs at least 368).',
    }),
    warmup: durationFlag({
      default: 5000,
      description:
        "Unrecorded requests at the peak bench's starting rate before it, so the verdict does not judge a stack that has just started (JIT, connections, caches); 0s for none.",
    }),
    rate: rateFlag({
      default: 25,
      description:
        "Base rate of the peak curve in requests per second (the peak is 3x; the default keeps generates under the LLM's 500 requests per minute).",
    }),
    out: Flags.directory({
      default: 'runs',
      description: 'Directory the run record and the HTML report are written to.',
    }),
    stack: stackFlag,
  }

  async run(): Promise<DemoResult> {
    const {flags} = this
    const stack = await this.loadStack(flags.stack)
    const {runDemo} = await import('../lib/bench/demo.js')
    const {renderTerminal} = await import('../lib/report/render-terminal.js')
    const {record, reports, driver} = await this.withProgress((progress) =>
      runDemo(
        stack,
        {
          driver: flags.driver as DemoOptions['driver'],
          durationMs: flags.duration,
          warmupMs: flags.warmup,
          rate: flags.rate,
          outDir: flags.out,
          version: this.config.version,
        },
        progress,
      ),
    )
    const html = reports.find((report) => report.format === 'html')!.file
    this.print(renderTerminal(record, {width: this.terminalWidth}))
    this.print(`\nrun record: ${reports[0]!.file}\nHTML report: ${html}`)
    this.print(
      `\nThe stack is still up: \`streamctl status\`, \`streamctl bench steady --duration 20s\`, \`streamctl down\` when done.`,
    )
    if (!record.sla.passed) this.setExitCode(ExitCode.slaFailed)
    const {slaFailedJson} = await import('../lib/sla/verdict-text.js')
    return {
      stack: stack.manifest.name,
      driver,
      reports,
      html,
      sla: record.sla,
      ...slaFailedJson(record.sla, record.profile),
    }
  }
}
