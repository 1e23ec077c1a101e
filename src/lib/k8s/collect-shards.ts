// `report merge --k8s-job NAME`: the run records of an Indexed Job's shards, read from its pods'
// logs. Exactly one record per completion index 0…N-1, from the pod of that index that succeeded.
import {StreamctlError} from '../errors.js'
import {parseRecordLog} from '../report/record-log.js'
import type {RunRecord} from '../report/run-record.js'
import {COMPLETION_INDEX_ANNOTATION} from './indexed-job.js'
import type {Kubectl} from './kubectl.js'

export interface CollectedShard {
  /** `pod/NAME`: where the record came from. */
  source: string
  index: number
  record: RunRecord
}

interface PodList {
  items?: Array<{
    metadata?: {name?: string; labels?: Record<string, string>; annotations?: Record<string, string>}
    status?: {phase?: string}
  }>
}

export async function collectShards(kubectl: Kubectl, job: string, namespace?: string): Promise<CollectedShard[]> {
  const scope = namespace ? ['--namespace', namespace] : []
  const list = JSON.parse(
    await kubectl.run(['get', 'pods', '--selector', `job-name=${job}`, '--output', 'json', ...scope]),
  ) as PodList
  const pods = (list.items ?? []).map((pod) => ({
    name: pod.metadata?.name ?? '?',
    phase: pod.status?.phase ?? 'Unknown',
    index: Number(
      pod.metadata?.annotations?.[COMPLETION_INDEX_ANNOTATION] ?? pod.metadata?.labels?.[COMPLETION_INDEX_ANNOTATION],
    ),
  }))
  const where = `job ${job}${namespace ? ` in namespace ${namespace}` : ''}`
  if (pods.length === 0)
    throw new StreamctlError('SHARDS_INCOMPLETE', `${where} has no pods`, {
      hint: 'Check the name with `kubectl get jobs`; pods deleted with their Job take their logs with them.',
    })
  const unindexed = pods.find((pod) => !Number.isInteger(pod.index))
  if (unindexed)
    throw new StreamctlError('RUN_RECORD_INVALID', `pod/${unindexed.name} of ${where} has no completion index`, {
      hint: 'Merge the pods of an Indexed Job rendered by `streamctl bench --k8s-job N`.',
    })
  const byIndex = new Map<number, typeof pods>()
  for (const pod of pods) byIndex.set(pod.index, [...(byIndex.get(pod.index) ?? []), pod])
  const shards: CollectedShard[] = []
  for (const [index, candidates] of [...byIndex.entries()].sort(([a], [b]) => a - b)) {
    const succeeded = candidates.filter((pod) => pod.phase === 'Succeeded')
    if (succeeded.length > 1)
      throw new StreamctlError(
        'SHARDS_INCOMPLETE',
        `completion index ${index} of ${where} has ${succeeded.length} succeeded pods (${succeeded.map((pod) => `pod/${pod.name}`).join(', ')}): each shard merges once`,
      )
    const pod = succeeded[0]
    if (!pod)
      throw new StreamctlError(
        'SHARDS_INCOMPLETE',
        `completion index ${index} of ${where} has no succeeded pod (${candidates.map((other) => `pod/${other.name} is ${other.phase}`).join(', ')})`,
        {
          hint: "Wait for the Job to complete (`kubectl wait --for=condition=complete job/NAME`), or read the failed pod's log.",
        },
      )
    const source = `pod/${pod.name}`
    const record = parseRecordLog(await kubectl.run(['logs', source, ...scope]), source)
    if (record.shard && record.shard.index !== index)
      throw new StreamctlError(
        'RUN_RECORD_INVALID',
        `${source} has completion index ${index} but its record is shard ${record.shard.index + 1}/${record.shard.count}`,
      )
    shards.push({source, index, record})
  }
  return shards
}
