import {Flags} from '@oclif/core'
import {StreamctlCommand, stackFlag} from '../../cli/base-command.js'
import type {K8sObject} from '../../lib/k8s/validate.js'

/** The --json output: a Kubernetes List, which `kubectl apply -f -` takes as it is. */
export interface DeployRenderResult {
  apiVersion: 'v1'
  kind: 'List'
  items: K8sObject[]
}

export default class DeployRender extends StreamctlCommand<typeof DeployRender> {
  static override summary =
    "Print the stack's Kubernetes manifests: the kustomize base or an overlay, checked object by object."
  static override description = `Builds the stack's k8s/ kustomization with \`kubectl kustomize\` (kubectl must be on PATH): a Deployment and Service per service, the gateway's PodDisruptionBudget and CPU HorizontalPodAutoscaler, and KEDA ScaledObjects for the worker (queue length and tokens per minute), the projector and the content pipeline (consumer lag). The stack's stack.yaml goes along as the ConfigMap streamctl-stack, mounted in every pod, so the pods see its topics, queues and quotas; each Kafka-lag ScaledObject's maxReplicaCount is its topic's partitions in stack.yaml, and a trigger naming a topic or queue stack.yaml lacks is an error. Every object is validated against its Kubernetes schema before anything is printed. The stores are external: create the Secret streamctl-endpoints first (docs/kubernetes.md).`
  static override examples = [
    '<%= config.bin %> deploy render | kubectl apply -f -',
    '<%= config.bin %> deploy render --overlay prometheus-operator --image ghcr.io/acme/streamctl:1.4',
    '<%= config.bin %> deploy render --json > manifests.json',
  ]
  static override flags = {
    overlay: Flags.string({
      description: 'Build this overlay of k8s/overlays/ (prometheus-operator, annotations) instead of the base.',
    }),
    image: Flags.string({
      description: 'The streamctl image the pods run (registry/name:tag or name@sha256:…; default streamctl:local).',
    }),
    stack: stackFlag,
  }

  async run(): Promise<DeployRenderResult> {
    const stack = await this.loadStack(this.flags.stack)
    const {renderManifests, toYamlStream} = await import('../../lib/k8s/manifests.js')
    const {objects} = await renderManifests(stack, {
      ...(this.flags.overlay === undefined ? {} : {overlay: this.flags.overlay}),
      ...(this.flags.image === undefined ? {} : {image: this.flags.image}),
    })
    if (!this.jsonEnabled()) process.stdout.write(toYamlStream(objects))
    return {apiVersion: 'v1', kind: 'List', items: objects}
  }
}
