import {Args, Flags} from '@oclif/core'
import {StreamctlCommand} from '../../cli/base-command.js'
import {ExitCode, StreamctlError} from '../../lib/errors.js'
import type {ReportFormat} from '../../lib/report/formats.js'
import type {RunComparison} from '../../lib/report/compare.js'
import type {SlaVerdict} from '../../lib/sla/evaluate.js'
import type {SlaFailedJson} from '../../lib/sla/verdict-text.js'

export type ReportResult =
  | {kind: 'report'; format: ReportFormat; file?: string; sla: SlaVerdict; error?: SlaFailedJson}
  | ({kind: 'compare'} & RunComparison)

const FORMATS = ['terminal', 'json', 'junit', 'markdown', 'html', 'hlog', 'benchmark'] as const

export default class Report extends StreamctlCommand<typeof Report> {
  static override summary = 'Render a saved run record in another format, or compare two runs.'
  static override description = `RUN is a run record written by \`streamctl bench\`. Formats: terminal (default), json, junit (one test case per SLA target), markdown (for $GITHUB_STEP_SUMMARY), html (self-contained, with charts), hlog (HdrHistogram interval log v1.3), benchmark (github-action-benchmark customSmallerIsBetter JSON). The exit code follows the recorded SLA verdict (99 when it failed).

--compare BASE puts BASE and RUN side by side, series by series. A regression is called only when it is statistically significant and large: a shift of the latency distribution (Mann-Whitney U, p < 0.01, median +10% and +1 ms), a fatter tail (more than 1% of requests above BASE's p99, binomial p < 0.01, p99 +25% and +5 ms) or more errors (two-proportion test p < 0.01, +0.5 points). A regression exits 99.

The call is meaningful only like for like: when the two runs differ in profile, model, duration or offered rate (more than 10% apart), seed, stack, driver, target, variants or shard, --compare names the differences and exits 2. --force compares them anyway, and the output says the comparison is not like for like.`
  static override examples = [
    '<%= config.bin %> report runs/peak-20261125T020000Z.json',
    '<%= config.bin %> report runs/peak-20261125T020000Z.json --format html --out report.html',
    '<%= config.bin %> report --compare runs/base.json runs/new.json',
    '<%= config.bin %> report --compare runs/peak-30s.json runs/peak-15s.json --force',
  ]
  static override args = {run: Args.file({required: true, description: 'Run record (JSON) written by bench.'})}
  static override flags = {
    format: Flags.string({char: 'f', options: [...FORMATS], default: 'terminal', description: 'Output format.'}),
    out: Flags.file({char: 'o', description: 'Write the report to this file instead of stdout.'}),
    compare: Flags.file({helpValue: '<base.json>', description: 'Compare RUN against this baseline run record.'}),
    force: Flags.boolean({
      dependsOn: ['compare'],
      description:
        'With --compare: compare runs made under different conditions (profile, duration, rate, seed, stack…) anyway.',
    }),
  }

  async run(): Promise<ReportResult> {
    const {flags, args} = this
    const {readRunRecord} = await import('../../lib/report/run-record.js')
    const record = await readRunRecord(args.run)
    if (flags.compare) {
      const {compareRuns, listDifferences} = await import('../../lib/report/compare.js')
      const {renderComparison} = await import('../../lib/report/render-comparison.js')
      const base = await readRunRecord(flags.compare)
      const comparison = compareRuns(base, record, {base: flags.compare, next: args.run}, {force: flags.force})
      if (!comparison.likeForLike && !flags.force) {
        throw new StreamctlError(
          'COMPARE_NOT_LIKE_FOR_LIKE',
          `${flags.compare} and ${args.run} were not run under the same conditions: ${listDifferences(comparison.differences)}`,
          {
            hint: 'Rerun with the same profile, duration, rate and seed (and the same stack, variants and shard), or pass --force to compare anyway.',
            details: {differences: comparison.differences},
          },
        )
      }
      this.print(renderComparison(comparison))
      if (comparison.verdict === 'regression') this.setExitCode(ExitCode.slaFailed)
      return {kind: 'compare', ...comparison}
    }
    const format = flags.format as ReportFormat
    if (flags.out) {
      const {writeReports} = await import('../../lib/report/write-reports.js')
      const [written] = await writeReports(record, [{format, file: flags.out}])
      this.print(`${format} report written to ${written!.file}`)
    } else if (format === 'json' && this.jsonEnabled()) {
      throw new StreamctlError('INVALID_FLAG', '--format json with --json: pick one (--json prints the result summary)')
    } else {
      const {renderReport} = await import('../../lib/report/formats.js')
      if (!this.jsonEnabled()) process.stdout.write(renderReport(record, format, {width: this.terminalWidth}))
    }
    if (!record.sla.passed) this.setExitCode(ExitCode.slaFailed)
    const {slaFailedJson} = await import('../../lib/sla/verdict-text.js')
    return {
      kind: 'report',
      format,
      ...(flags.out ? {file: flags.out} : {}),
      sla: record.sla,
      ...slaFailedJson(record.sla, record.profile),
    }
  }
}
