import {Args, Flags} from '@oclif/core'
import {StreamctlCommand} from '../../cli/base-command.js'
import {ExitCode, StreamctlError} from '../../lib/errors.js'
import type {ShardRow} from '../../lib/report/shard-rows.js'
import type {WrittenReport} from '../../lib/report/write-reports.js'
import type {SlaFailedJson} from '../../lib/sla/verdict-text.js'
import type {SlaVerdict} from '../../lib/sla/evaluate.js'

export interface ReportMergeResult {
  reports: WrittenReport[]
  sla: SlaVerdict
  /** Each shard's figures per series, then the merged record's. */
  shards: ShardRow[]
  /** Present when the merged verdict failed (exit 99). */
  error?: SlaFailedJson
}

export default class ReportMerge extends StreamctlCommand<typeof ReportMerge> {
  static override summary =
    'Merge the run records of a sharded bench (`bench --shard i/N`, or the pods of `bench --k8s-job N`) into one, with one SLA verdict.'
  static override description = `Histograms are merged bucket by bucket (HdrHistogram add), so the merged percentiles are those of one run that recorded every request. Counts add up; intervals are merged by their index. The SLA targets recorded in the first record are evaluated once on the merged data; a failure exits 99.

Only the shards of one run merge: records of different profiles, seeds or shard counts are refused, and so are a missing or a repeated shard. Each shard's figures are printed beside the merged ones.

With --k8s-job NAME the records are collected from the logs of the Indexed Job's pods (\`kubectl get pods -l job-name=NAME\`, then \`kubectl logs\` of the succeeded pod of each completion index), in the current kube context.

The merged run record and its HTML report are written under --out. On GitHub Actions (CI and $GITHUB_STEP_SUMMARY set) the Markdown summary of the merged run is appended to the job summary as well.`
  static override examples = [
    '<%= config.bin %> report merge runs/soak-*-shard-*.json --out runs/merged',
    '<%= config.bin %> report merge --k8s-job bench-steady-m2x9k1 --namespace load',
  ]
  static override strict = false
  static override args = {records: Args.file({description: 'Run records to merge (every shard of one run).'})}
  static override flags = {
    'k8s-job': Flags.string({
      helpValue: '<name>',
      description: 'Collect the records from the pods of this Indexed Job (from `bench --k8s-job N`) instead of files.',
    }),
    namespace: Flags.string({
      dependsOn: ['k8s-job'],
      description: "The Job's namespace (default: the kube context's).",
    }),
    out: Flags.directory({
      default: 'runs',
      description: 'Directory the merged run record and HTML report are written to.',
    }),
  }

  async run(): Promise<ReportMergeResult> {
    const {flags} = this
    const files = this.argv.filter((arg) => !arg.startsWith('-') && !this.isFlagValue(arg))
    const {readRunRecord} = await import('../../lib/report/run-record.js')
    const {mergeRecords} = await import('../../lib/report/merge-records.js')
    const {defaultReportFiles, withStepSummary, writeReports} = await import('../../lib/report/write-reports.js')
    const {renderTerminal} = await import('../../lib/report/render-terminal.js')
    const {renderShardRows, shardRows} = await import('../../lib/report/shard-rows.js')
    if (flags['k8s-job'] && files.length > 0)
      throw new StreamctlError(
        'UNEXPECTED_ARGUMENT',
        `--k8s-job ${flags['k8s-job']} collects the records: give no files too (got ${files.join(', ')})`,
      )
    if (!flags['k8s-job'] && files.length === 0)
      throw new StreamctlError(
        'MISSING_ARGUMENT',
        'report merge needs the run records of every shard, or --k8s-job NAME',
        {
          hint: 'e.g. streamctl report merge runs/soak-*-shard-*.json',
        },
      )
    const {records, sources} = flags['k8s-job']
      ? await this.collectFromJob(flags['k8s-job'], flags.namespace)
      : {records: await Promise.all(files.map((file) => readRunRecord(file))), sources: files}
    const merged = mergeRecords(records, sources)
    const reports = await writeReports(
      merged,
      withStepSummary(defaultReportFiles({...merged, profile: `${merged.profile}-merged`}, flags.out)),
    )
    const shards = shardRows(records, sources, merged)
    this.print(renderTerminal(merged, {width: this.terminalWidth}))
    this.print('')
    this.print(renderShardRows(shards, this.terminalWidth))
    this.print('')
    for (const report of reports)
      this.print(
        `${report.format === 'json' ? 'merged run record' : `${report.format} report`} written to ${report.file}`,
      )
    if (!merged.sla.passed) this.setExitCode(ExitCode.slaFailed)
    const {slaFailedJson} = await import('../../lib/sla/verdict-text.js')
    return {reports, sla: merged.sla, shards, ...slaFailedJson(merged.sla, merged.profile)}
  }

  private async collectFromJob(job: string, namespace: string | undefined) {
    const {openKubectl} = await import('../../lib/k8s/kubectl.js')
    const {collectShards} = await import('../../lib/k8s/collect-shards.js')
    const shards = await collectShards(await openKubectl(), job, namespace)
    return {records: shards.map((shard) => shard.record), sources: shards.map((shard) => shard.source)}
  }

  private isFlagValue(arg: string): boolean {
    const index = this.argv.indexOf(arg)
    return index > 0 && ['--out', '--k8s-job', '--namespace'].includes(this.argv[index - 1]!)
  }
}
