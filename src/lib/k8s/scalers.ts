// The ScaledObjects name the stack's topics and queues: each must exist in the stack manifest, and a
// Kafka-lag scaler never scales past the partitions of its topic (a consumer more sits idle). The
// partition counts are taken from the manifest when rendering, so a change to stack.yaml follows.
import {StreamctlError} from '../errors.js'
import type {StackManifest} from '../stack/manifest.js'
import type {K8sObject} from './validate.js'

export interface ScalerTrigger {
  type: string
  metadata?: Record<string, string>
}

export interface ScaledObjectSpec {
  maxReplicaCount?: number
  triggers?: ScalerTrigger[]
}

export function isScaledObject(object: K8sObject): boolean {
  return object.apiVersion.startsWith('keda.sh/') && object.kind === 'ScaledObject'
}

export function triggersOf(object: K8sObject): ScalerTrigger[] {
  return (object.spec as ScaledObjectSpec | undefined)?.triggers ?? []
}

/**
 * The objects with every Kafka-scaled ScaledObject's maxReplicaCount set to its topics' partitions;
 * a trigger naming a topic or queue the manifest does not declare is an error naming both.
 */
export function fitScalersToManifest(objects: K8sObject[], manifest: StackManifest, manifestFile: string): K8sObject[] {
  const problems: string[] = []
  const fitted = objects.map((object) => {
    if (!isScaledObject(object)) return object
    let partitions = 0
    for (const trigger of triggersOf(object)) {
      if (trigger.type === 'kafka') {
        const topic = manifest.topics.find((candidate) => candidate.name === trigger.metadata?.topic)
        if (topic) partitions = Math.max(partitions, topic.partitions)
        else
          problems.push(
            `ScaledObject/${object.metadata.name}: topic "${trigger.metadata?.topic ?? ''}" is not in topics:`,
          )
      }
      if (trigger.type === 'rabbitmq' && !manifest.queues.some((queue) => queue.name === trigger.metadata?.queueName))
        problems.push(
          `ScaledObject/${object.metadata.name}: queue "${trigger.metadata?.queueName ?? ''}" is not in queues:`,
        )
    }
    return partitions === 0 ? object : {...object, spec: {...(object.spec as object), maxReplicaCount: partitions}}
  })
  if (problems.length > 0)
    throw new StreamctlError(
      'K8S_MANIFEST_INVALID',
      `the ScaledObjects name what ${manifestFile} does not declare:\n${problems.map((line) => `  ${line}`).join('\n')}`,
      {hint: `Declare them in ${manifestFile}, or change the triggers under k8s/base/keda/.`, details: problems},
    )
  return fitted
}
