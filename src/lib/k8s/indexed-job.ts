// `bench --k8s-job N`: one bench as a Kubernetes Indexed Job of N pods. Pod i runs shard i+1 of N
// of the same schedule (same seed, written into the command) and prints its run record to its log
// between delimiter lines (report/record-log.ts), where `report merge --k8s-job` collects it.
import {Job, type IJob} from 'kubernetes-models/batch/v1'
import {StreamctlError} from '../errors.js'

/** Where the pod finds the seeded users' API keys: `$STREAMCTL_STATE_DIR/<stack>/credentials.json`. */
export const POD_STATE_DIR = '/var/run/streamctl'
/** The Secret holding `credentials.json` (from `provision`) and `admin-token`; optional. */
export const BENCH_SECRET = 'streamctl-bench'
export const COMPLETION_INDEX_ANNOTATION = 'batch.kubernetes.io/job-completion-index'

export interface BenchJobSpec {
  name: string
  namespace?: string
  image: string
  shards: number
  profile: string
  /** The stack whose name the credentials directory carries. */
  stackName: string
  /** Every other bench flag each shard runs with, `--seed` among them. */
  benchArgs: readonly string[]
}

/** A Job name: a DNS label of at most 63 characters (pods add `-<index>-<suffix>` to it). */
export function checkJobName(name: string, flag = '--job-name'): string {
  if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(name) || name.length > 52)
    throw new StreamctlError(
      'INVALID_FLAG',
      `${flag} ${name}: a Job name is lower-case letters, digits and '-', at most 52 characters, starting and ending with a letter or digit`,
    )
  return name
}

/** A default Job name for a profile: `bench-<profile>-<time in base 36>`. */
export function defaultJobName(profile: string, now = Date.now()): string {
  const base = profile
    .replace(/\.ya?ml$/, '')
    .split('/')
    .at(-1)!
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 30)
  return `bench-${base || 'profile'}-${now.toString(36)}`
}

/** The shell command pod i runs: its shard from JOB_COMPLETION_INDEX; a failed shard verdict (99) is not a failed pod. */
export function shardCommand(spec: Pick<BenchJobSpec, 'profile' | 'shards' | 'benchArgs'>): string[] {
  const bench = [
    'streamctl',
    'bench',
    quote(spec.profile),
    ...spec.benchArgs.map(quote),
    '--shard',
    `"$((JOB_COMPLETION_INDEX + 1))/${spec.shards}"`,
    '--record-to-stdout',
    '--out',
    '/tmp/streamctl-runs',
    '--no-html',
  ].join(' ')
  // The merged verdict is the run's; one shard's own verdict (exit 99) must not fail its pod.
  return ['/bin/sh', '-c', `${bench} || test $? -eq 99`]
}

export function renderBenchJob(spec: BenchJobSpec): IJob {
  if (!Number.isInteger(spec.shards) || spec.shards < 1)
    throw new StreamctlError('INVALID_FLAG', `--k8s-job ${spec.shards}: expected a number of pods, 1 or more`)
  const labels = {
    'app.kubernetes.io/name': 'streamctl',
    'app.kubernetes.io/component': 'bench',
  }
  const job = new Job({
    metadata: {
      name: spec.name,
      ...(spec.namespace ? {namespace: spec.namespace} : {}),
      labels,
      annotations: {'streamctl.dev/profile': spec.profile, 'streamctl.dev/shards': String(spec.shards)},
    },
    spec: {
      completionMode: 'Indexed',
      completions: spec.shards,
      parallelism: spec.shards,
      // A shard retried later would not load the target at the same time as the others: fail instead.
      backoffLimit: 0,
      template: {
        metadata: {labels},
        spec: {
          restartPolicy: 'Never',
          containers: [
            {
              name: 'bench',
              image: spec.image,
              command: shardCommand(spec),
              env: [
                {name: 'STREAMCTL_STATE_DIR', value: POD_STATE_DIR},
                {
                  name: 'STREAMCTL_ADMIN_TOKEN',
                  valueFrom: {secretKeyRef: {name: BENCH_SECRET, key: 'admin-token', optional: true}},
                },
              ],
              volumeMounts: [{name: 'credentials', mountPath: `${POD_STATE_DIR}/${spec.stackName}`, readOnly: true}],
            },
          ],
          volumes: [
            {
              name: 'credentials',
              secret: {
                secretName: BENCH_SECRET,
                optional: true,
                items: [{key: 'credentials.json', path: 'credentials.json'}],
              },
            },
          ],
        },
      },
    },
  })
  try {
    job.validate()
  } catch (error) {
    throw new StreamctlError('INTERNAL', `the rendered Job is not a valid batch/v1 Job: ${(error as Error).message}`, {
      cause: error,
    })
  }
  return job.toJSON() as IJob
}

function quote(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`
}
