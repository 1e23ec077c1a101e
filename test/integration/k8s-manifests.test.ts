// The Kubernetes manifests of the reference stack: `kubectl kustomize` (the real one on this
// machine) builds the base and every overlay, kubernetes-models validates every object, and the
// ScaledObjects name the queues, topics, groups and metrics the stack and its services really have.
import {readFile} from 'node:fs/promises'
import path from 'node:path'
import {parse} from 'yaml'
import {describe, expect, it} from 'vitest'
import {parseObjects} from '../../src/lib/k8s/manifests.js'
import {listOverlays} from '../../src/lib/k8s/manifests.js'
import {isScaledObject, triggersOf} from '../../src/lib/k8s/scalers.js'
import {findProblems, type K8sObject} from '../../src/lib/k8s/validate.js'
import {runQuietly} from '../../src/lib/host/binaries.js'
import {loadStack} from '../../src/lib/stack/load-stack.js'
import {Metrics} from '../../src/lib/streamflow/api.js'
import {readContentPipelineConfig} from '../../src/services/content-pipeline/config.js'
import {readProjectorConfig} from '../../src/services/projector/config.js'
import {ServiceMetrics} from '../../src/services/telemetry/metrics.js'
import {readWorkerConfig} from '../../src/services/worker/config.js'
import {ROOT} from '../helpers/cli.js'

const STACK_DIR = path.join(ROOT, 'stacks', 'reference')
const K8S_DIR = path.join(STACK_DIR, 'k8s')

async function kustomize(dir: string): Promise<K8sObject[]> {
  const built = await runQuietly('kubectl', ['kustomize', dir], 60_000)
  expect(built.stderr).toBe('')
  expect(built.ok).toBe(true)
  return parseObjects(built.stdout)
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the test reads whatever fields kustomize printed
type Spec = Record<string, any>

const find = (objects: K8sObject[], kind: string, name: string) => {
  const object = objects.find((candidate) => candidate.kind === kind && candidate.metadata.name === name)
  if (!object) throw new Error(`no ${kind}/${name}`)
  return structuredClone(object) as K8sObject & {spec: Spec}
}

describe('the reference stack on Kubernetes', () => {
  it('builds k8s/, the base and every overlay with kubectl kustomize, and every object validates', async () => {
    const overlays = await listOverlays(STACK_DIR)
    expect(overlays).toEqual(['annotations', 'prometheus-operator'])
    for (const dir of [
      K8S_DIR,
      path.join(K8S_DIR, 'base'),
      ...overlays.map((name) => path.join(K8S_DIR, 'overlays', name)),
    ]) {
      const objects = await kustomize(dir)
      expect(await findProblems(objects), dir).toEqual([])
      expect(objects.filter((object) => object.kind === 'ScaledObject')).toHaveLength(3)
    }
    const monitored = await kustomize(path.join(K8S_DIR, 'overlays', 'prometheus-operator'))
    expect(monitored.map((object) => object.kind)).toContain('ServiceMonitor')
    const annotated = await kustomize(path.join(K8S_DIR, 'overlays', 'annotations'))
    const worker = find(annotated, 'Deployment', 'worker')
    expect(worker.spec.template.metadata.annotations).toMatchObject({
      'prometheus.io/scrape': 'true',
      'prometheus.io/port': '8085',
    })
  })

  it('reports a broken field naming the object and the field', async () => {
    const objects = await kustomize(K8S_DIR)
    const gateway = find(objects, 'Deployment', 'gateway')
    gateway.spec.template.spec.containers[0].ports[0].containerPort = '8080'
    const worker = find(objects, 'ScaledObject', 'worker')
    delete worker.spec.scaleTargetRef
    const problems = await findProblems([
      gateway,
      worker,
      {apiVersion: 'example.com/v1', kind: 'Widget', metadata: {name: 'w'}},
    ])
    expect(problems).toEqual([
      {
        object: 'Deployment/gateway',
        field: 'spec.template.spec.containers[0].ports[0].containerPort',
        message: 'must be integer',
      },
      {object: 'ScaledObject/worker', field: 'spec.scaleTargetRef', message: 'is required'},
      {
        object: 'Widget/w',
        field: 'apiVersion',
        message: expect.stringContaining('no schema for example.com/v1 Widget'),
      },
    ])
    const monitor = find(
      await kustomize(path.join(K8S_DIR, 'overlays', 'prometheus-operator')),
      'ServiceMonitor',
      'streamctl',
    )
    delete monitor.spec.endpoints
    expect(await findProblems([monitor])).toEqual([
      {object: 'ServiceMonitor/streamctl', field: 'spec.endpoints', message: 'is required'},
    ])
  })

  it('runs every service of the stack manifest, on its manifest port, with /readyz and /healthz probes', async () => {
    const {manifest} = await loadStack(STACK_DIR)
    const objects = await kustomize(K8S_DIR)
    const services = manifest.components.filter((component) => component.kind === 'service')
    expect(
      objects
        .filter((object) => object.kind === 'Deployment')
        .map((object) => object.metadata.name)
        .sort(),
    ).toEqual(services.map((component) => component.name).sort())
    for (const component of services) {
      const container = find(objects, 'Deployment', component.name).spec.template.spec.containers[0]
      expect(container.args).toEqual(['serve', component.name])
      expect(container.ports[0].containerPort).toBe(component.port)
      expect(container.env).toContainEqual({name: 'PORT', value: String(component.port)})
      expect(container.readinessProbe.httpGet.path).toBe('/readyz')
      expect(container.livenessProbe.httpGet.path).toBe('/healthz')
      expect(container.securityContext).toMatchObject({readOnlyRootFilesystem: true, allowPrivilegeEscalation: false})
      expect(find(objects, 'Service', component.name).spec.ports[0].port).toBe(component.port)
    }
  })

  it('scales on the queues, topics, groups and metrics the stack and its services have', async () => {
    const {manifest} = await loadStack(STACK_DIR)
    const objects = await kustomize(K8S_DIR)
    const scaled = objects.filter(isScaledObject)
    expect(scaled.map((object) => object.metadata.name).sort()).toEqual(['content-pipeline', 'projector', 'worker'])
    // The consumers' own defaults: a rename of a group, topic or queue in the services breaks this.
    const consumers: Record<string, {group?: string; topic?: string; queue?: string}> = {
      projector: {group: readProjectorConfig({}).group, topic: readProjectorConfig({}).userEventsTopic},
      'content-pipeline': {
        group: readContentPipelineConfig({}).group,
        topic: readContentPipelineConfig({}).contentEventsTopic,
      },
      worker: {queue: readWorkerConfig({}).requestsQueue},
    }
    const workerMetrics = await new ServiceMetrics('worker').registry.metrics()
    for (const object of scaled) {
      const spec = object.spec as {scaleTargetRef: {name: string}; maxReplicaCount: number}
      expect(spec.scaleTargetRef.name).toBe(object.metadata.name)
      const consumer = consumers[object.metadata.name]!
      for (const trigger of triggersOf(object)) {
        const metadata = trigger.metadata!
        if (trigger.type === 'kafka') {
          const topic = manifest.topics.find((candidate) => candidate.name === metadata.topic)
          expect(topic, metadata.topic).toBeDefined()
          expect(metadata.topic).toBe(consumer.topic)
          expect(metadata.consumerGroup).toBe(consumer.group)
          expect(spec.maxReplicaCount).toBe(topic!.partitions)
        } else if (trigger.type === 'rabbitmq') {
          expect(manifest.queues.map((queue) => queue.name)).toContain(metadata.queueName)
          expect(metadata.queueName).toBe(consumer.queue)
        } else if (trigger.type === 'prometheus') {
          const metric = /^sum\(rate\(([a-z_]+)\{app_kubernetes_io_name="worker"\}\[5m\]\)\) \* 60$/.exec(
            metadata.query!,
          )?.[1]
          expect(metric).toBe(Metrics.tokensProcessed)
          expect(workerMetrics).toContain(`# TYPE ${metric} counter`)
          expect(metadata.threshold).toBe('5000')
        } else throw new Error(`unexpected trigger ${trigger.type}`)
      }
    }
    // KEDA reads the AMQP URL from the Secret the pods read, under the external driver's name.
    const auth = find(objects, 'TriggerAuthentication', 'streamctl-rabbitmq')
    expect(auth.spec.secretTargetRef).toEqual([{parameter: 'host', name: 'streamctl-endpoints', key: 'AMQP_URL'}])
  })

  it('names the Secret keys the external driver reads', async () => {
    const source = await readFile(path.join(ROOT, 'src/lib/stack/drivers/external-driver.ts'), 'utf8')
    const objects = await kustomize(K8S_DIR)
    const container = find(objects, 'Deployment', 'worker').spec.template.spec.containers[0]
    expect(container.envFrom).toContainEqual({secretRef: {name: 'streamctl-endpoints'}})
    for (const key of ['DATABASE_URL', 'REDIS_URL', 'AMQP_URL', 'KAFKA_BROKERS']) expect(source).toContain(`'${key}'`)
    const env = find(
      objects,
      'ConfigMap',
      objects.find((object) => object.metadata.name.startsWith('streamctl-service-env'))!.metadata.name,
    )
    expect((env as unknown as {data: Record<string, string>}).data.REDIS_KEY_PREFIX).toBe(
      (parse(await readFile(path.join(STACK_DIR, 'stack.yaml'), 'utf8')) as {components: {redis: {keyPrefix: string}}})
        .components.redis.keyPrefix,
    )
  })
})
