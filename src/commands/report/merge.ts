import {Args, Flags} from '@oclif/core'
import {StreamctlCommand} from '../../cli/base-command.js'
import {ExitCode} from '../../lib/errors.js'
import type {WrittenReport} from '../../lib/report/write-reports.js'
import type {SlaFailedJson} from '../../lib/sla/verdict-text.js'
import type {SlaVerdict} from '../../lib/sla/evaluate.js'

export interface ReportMergeResult {
  reports: WrittenReport[]
  sla: SlaVerdict
  /** Present when the merged verdict failed (exit 99). */
  error?: SlaFailedJson
}

export default class ReportMerge extends StreamctlCommand<typeof ReportMerge> {
  static override summary =
    'Merge the run records of a sharded bench (`bench --shard i/N`) into one, with one SLA verdict.'
  static override description = `Histograms are merged bucket by bucket (HdrHistogram add), so the merged percentiles are those of one run that recorded every request. Counts add up; intervals are merged by their index. The SLA targets recorded in the first record are evaluated once on the merged data; a failure exits 99.

The merged run record and its HTML report are written under --out. On GitHub Actions (CI and $GITHUB_STEP_SUMMARY set) the Markdown summary of the merged run is appended to the job summary as well.`
  static override examples = ['<%= config.bin %> report merge runs/soak-*-shard-*.json --out runs/merged']
  static override strict = false
  static override args = {records: Args.file({required: true, description: 'Run records to merge (two or more).'})}
  static override flags = {
    out: Flags.directory({
      default: 'runs',
      description: 'Directory the merged run record and HTML report are written to.',
    }),
  }

  async run(): Promise<ReportMergeResult> {
    const files = this.argv.filter((arg) => !arg.startsWith('-') && !this.isFlagValue(arg))
    const {readRunRecord} = await import('../../lib/report/run-record.js')
    const {mergeRecords} = await import('../../lib/report/merge-records.js')
    const {defaultReportFiles, withStepSummary, writeReports} = await import('../../lib/report/write-reports.js')
    const {renderTerminal} = await import('../../lib/report/render-terminal.js')
    const records = await Promise.all(files.map((file) => readRunRecord(file)))
    const merged = mergeRecords(records, files)
    const reports = await writeReports(
      merged,
      withStepSummary(defaultReportFiles({...merged, profile: `${merged.profile}-merged`}, this.flags.out)),
    )
    this.print(renderTerminal(merged, {width: this.terminalWidth}))
    this.print('')
    for (const report of reports)
      this.print(
        `${report.format === 'json' ? 'merged run record' : `${report.format} report`} written to ${report.file}`,
      )
    if (!merged.sla.passed) this.setExitCode(ExitCode.slaFailed)
    const {slaFailedJson} = await import('../../lib/sla/verdict-text.js')
    return {reports, sla: merged.sla, ...slaFailedJson(merged.sla, merged.profile)}
  }

  private isFlagValue(arg: string): boolean {
    const index = this.argv.indexOf(arg)
    return index > 0 && this.argv[index - 1] === '--out'
  }
}
