// What `bench PROFILE --k8s-job N` renders: the Indexed Job for the profile, every shard with the
// same seed (the profile's when none is given, written out so `report merge` can check it).
import {StreamctlError} from '../errors.js'
import {findProfile} from '../load/profile-loader.js'
import type {Stack} from '../stack/load-stack.js'
import {checkJobName, defaultJobName, renderBenchJob} from './indexed-job.js'
import type {IJob} from 'kubernetes-models/batch/v1'

export interface BenchJobRequest {
  profile: string
  shards: number
  image: string
  jobName?: string
  namespace?: string
  /** The gateway as the pods reach it (an in-cluster Service URL). */
  targetUrl?: string
  seed?: number
  /** The other bench flags every shard passes on, already in command-line form. */
  benchArgs: readonly string[]
}

export interface BenchJob {
  name: string
  seed: number
  job: IJob
}

export async function planBenchJob(stack: Stack, request: BenchJobRequest): Promise<BenchJob> {
  if (!request.targetUrl)
    throw new StreamctlError(
      'MISSING_ARGUMENT',
      '--k8s-job needs --target: a pod has no local stack to find a gateway in',
      {
        hint: "Pass the gateway's URL as the pods reach it, e.g. --target http://gateway.streamflow.svc:8080.",
      },
    )
  const profile = await findProfile(stack, request.profile)
  const seed = request.seed ?? profile.seed
  const name = request.jobName ? checkJobName(request.jobName) : defaultJobName(profile.name)
  const job = renderBenchJob({
    name,
    ...(request.namespace ? {namespace: request.namespace} : {}),
    image: request.image,
    shards: request.shards,
    profile: request.profile,
    stackName: stack.manifest.name,
    benchArgs: ['--seed', String(seed), '--target', request.targetUrl, ...request.benchArgs],
  })
  return {name, seed, job}
}
