import {Flags} from '@oclif/core'
import {BenchProgressView} from '../lib/load/bench-progress.js'
import {StreamctlCommand, stackFlag} from '../cli/base-command.js'
import {durationFlag} from '../cli/flags.js'
import {ExitCode} from '../lib/errors.js'
import type {SlaVerdict} from '../lib/sla/evaluate.js'
import type {WrittenReport} from '../lib/report/write-reports.js'

export interface DemoResult {
  stack: string
  driver: string
  /** The run record and the HTML report. */
  reports: WrittenReport[]
  html: string
  sla: SlaVerdict
}

export default class Demo extends StreamctlCommand<typeof Demo> {
  static override summary = 'The first thing to run: bring the reference stack up, provision it, run a short `peak` bench and show the verdict and the HTML report.'
  static override description = `Runs \`up\` (auto driver: Docker Compose when a Docker engine answers, otherwise every component as a local process on the PostgreSQL, Redis and RabbitMQ already on this machine), then \`provision\`, then \`bench peak\` for --duration at a modest rate after an unrecorded --warmup, judged by the manifest's SLA targets with the quota accounting after drain. Prints the summary and the path of the HTML report; exits 99 when an SLA target failed. The stack stays up afterwards: explore it with \`streamctl status\`, run more profiles with \`streamctl bench\`, stop it with \`streamctl down\`.`
  static override examples = ['<%= config.bin %> demo', '<%= config.bin %> demo --duration 1m --rate 30', '<%= config.bin %> demo --driver local --out ./demo-runs']
  static override flags = {
    driver: Flags.string({options: ['auto', 'compose', 'local'], default: 'auto', description: 'How to run the stack (see `up`).'}),
    duration: durationFlag({default: 30_000, description: 'Length of the peak bench.'}),
    warmup: durationFlag({default: 5000, description: "Unrecorded requests at the peak bench's starting rate before it, so the verdict does not judge a stack that has just started (JIT, connections, caches); 0s for none."}),
    rate: Flags.integer({min: 1, default: 20, description: 'Base rate of the peak curve in requests per second (the peak is 3x).'}),
    out: Flags.directory({default: 'runs', description: 'Directory the run record and the HTML report are written to.'}),
    stack: stackFlag,
  }

  async run(): Promise<DemoResult> {
    const {flags} = this
    const stack = await this.loadStack(flags.stack)
    const {selectDriver} = await import('../lib/stack/drivers/select-driver.js')
    const {stateDirFor} = await import('../lib/stack/state-dir.js')
    const {provisionStack} = await import('../lib/provision/provision.js')
    const {findProfile} = await import('../lib/load/profile-loader.js')
    const {resolveBenchTarget} = await import('../lib/load/bench-target.js')
    const {chooseSlaTargets} = await import('../lib/sla/choose-targets.js')
    const {runBenchSession} = await import('../lib/report/bench-session.js')
    const {runMetadata} = await import('../lib/report/run-record.js')
    const {defaultReportFiles, writeReports} = await import('../lib/report/write-reports.js')
    const {renderTerminal} = await import('../lib/report/render-terminal.js')
    const stateDir = stateDirFor(stack.manifest.name)
    const profile = await findProfile(stack, 'peak')
    const sla = await chooseSlaTargets(stack, profile, undefined)
    const {driver, reason} = await selectDriver(flags.driver as 'auto')
    const reporter = await this.reporter()
    const controller = new AbortController()
    const onSignal = () => controller.abort()
    process.once('SIGINT', onSignal)
    let record
    try {
      reporter.info(`1/3 up: stack "${stack.manifest.name}" with the ${driver.name} driver (${reason})`)
      const up = await driver.up({stack, stateDir, reporter, env: process.env}, {waitTimeoutMs: 120_000})
      reporter.info('2/3 provision: topics, schemas, migrations, queues, quota tiers, users and API keys')
      const {requireState} = await import('../lib/stack/state.js')
      const state = await requireState(stateDir, stack.manifest.name)
      await provisionStack(stack, state, {dryRun: false, stateDir, reporter})
      const target = await resolveBenchTarget(stack, profile, undefined)
      reporter.info(`3/3 bench peak for ${Math.round(flags.duration / 1000)}s at ${flags.rate} req/s base (3x at the peak) → ${target.url}${flags.warmup > 0 ? `, after a ${Math.round(flags.warmup / 1000)}s warm-up` : ''}`)
      const view = new BenchProgressView(reporter, profile.name)
      record = await runBenchSession({
        profile,
        targetUrl: target.url,
        ...(target.adminUrl ? {adminUrl: target.adminUrl} : {}),
        users: target.users,
        scrapeUrls: target.scrapeUrls,
        overrides: {durationMs: flags.duration, warmupMs: flags.warmup, rate: flags.rate},
        signal: controller.signal,
        onNote: (message) => reporter.info(message),
        onProgress: view.update,
        sla,
        meta: runMetadata(this.config.version, {name: stack.manifest.name, driver: up.driver}),
        quotaEndpoints: state.endpoints,
      })
      view.finish()
    } finally {
      process.off('SIGINT', onSignal)
      await reporter.close()
    }
    const reports = await writeReports(record, defaultReportFiles(record, flags.out))
    const html = reports.find((report) => report.format === 'html')!.file
    this.print(renderTerminal(record))
    this.print(`\nrun record: ${reports[0]!.file}\nHTML report: ${html}`)
    this.print(`\nThe stack is still up: \`streamctl status\`, \`streamctl bench steady --duration 20s\`, \`streamctl down\` when done.`)
    if (!record.sla.passed) this.setExitCode(ExitCode.slaFailed)
    return {stack: stack.manifest.name, driver: record.meta.driver ?? driver.name, reports, html, sla: record.sla}
  }
}
