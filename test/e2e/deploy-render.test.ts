// `streamctl deploy render` as a user runs it: the built CLI, the real kubectl kustomize, and the
// objects it prints parsed back and checked.
import {cp, mkdtemp, readFile, rm, writeFile} from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import {parseAllDocuments} from 'yaml'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {ROOT, runCli} from '../helpers/cli.js'

interface Obj {
  kind: string
  metadata: {name: string}
  data?: Record<string, string>
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the test reads whatever fields kustomize printed
  spec?: any
}

const REFERENCE = path.join(ROOT, 'stacks', 'reference')
const images = (objects: Obj[]) =>
  objects
    .filter((object) => object.kind === 'Deployment')
    .map((object) => object.spec.template.spec.containers[0].image)

describe('streamctl deploy render', () => {
  let stackCopy: string
  beforeAll(async () => {
    stackCopy = await mkdtemp(path.join(os.tmpdir(), 'streamctl-deploy-'))
    await cp(REFERENCE, stackCopy, {recursive: true})
  })
  afterAll(async () => {
    await rm(stackCopy, {recursive: true, force: true})
  })

  it('prints the base as YAML, with the stack manifest as a ConfigMap mounted in every pod', async () => {
    const result = await runCli(['deploy', 'render'])
    expect(result.stderr).toBe('')
    expect(result.exitCode).toBe(0)
    const objects = parseAllDocuments(result.stdout).map((document) => document.toJS() as Obj)
    expect(objects.filter((object) => object.kind === 'Deployment')).toHaveLength(8)
    expect(new Set(images(objects))).toEqual(new Set(['streamctl:local']))
    const stackMap = objects.find(
      (object) => object.kind === 'ConfigMap' && object.metadata.name.startsWith('streamctl-stack-'),
    )!
    expect(stackMap.data!['stack.yaml']).toBe(await readFile(path.join(REFERENCE, 'stack.yaml'), 'utf8'))
    const worker = objects.find((object) => object.kind === 'Deployment' && object.metadata.name === 'worker')!
    expect(worker.spec.template.spec.volumes).toContainEqual({
      name: 'stack-manifest',
      configMap: {name: stackMap.metadata.name},
    })
  })

  it('builds an overlay with the image named, and --json is a List kubectl applies', async () => {
    const result = await runCli([
      'deploy',
      'render',
      '--overlay',
      'prometheus-operator',
      '--image',
      'ghcr.io/acme/streamctl:1.4',
      '--json',
    ])
    expect(result.exitCode).toBe(0)
    const list = JSON.parse(result.stdout) as {apiVersion: string; kind: string; items: Obj[]}
    expect(list).toMatchObject({apiVersion: 'v1', kind: 'List'})
    expect(list.items.map((object) => object.kind)).toContain('ServiceMonitor')
    expect(new Set(images(list.items))).toEqual(new Set(['ghcr.io/acme/streamctl:1.4']))
  })

  it('refuses an unknown overlay with exit 2, naming the ones there are', async () => {
    const result = await runCli(['deploy', 'render', '--overlay', 'istio'])
    expect(result.exitCode).toBe(2)
    expect(result.stderr).toContain('Error [INVALID_FLAG]: --overlay istio: no such overlay')
    expect(result.stderr).toContain('Overlays: annotations, prometheus-operator.')
    expect(result.stderr).not.toMatch(/\n\s+at .*\.js:\d+/)
  })

  it('says what to install when kubectl is missing (exit 1)', async () => {
    const result = await runCli(['deploy', 'render', '--json'], {env: {PATH: path.join(stackCopy, 'no-such-dir')}})
    expect(result.exitCode).toBe(1)
    expect(JSON.parse(result.stdout)).toMatchObject({
      error: {code: 'KUBECTL_NOT_FOUND', hint: expect.stringContaining('Install kubectl')},
    })
  })

  it('follows the manifest: maxReplicaCount is the topic partitions of the stack rendered', async () => {
    const manifest = path.join(stackCopy, 'stack.yaml')
    const original = await readFile(manifest, 'utf8')
    await writeFile(
      manifest,
      original.replace('name: user-events\n    partitions: 6', 'name: user-events\n    partitions: 12'),
    )
    const result = await runCli(['deploy', 'render', '--stack', stackCopy, '--json'])
    await writeFile(manifest, original)
    expect(result.exitCode).toBe(0)
    const {items} = JSON.parse(result.stdout) as {items: Obj[]}
    const projector = items.find((object) => object.kind === 'ScaledObject' && object.metadata.name === 'projector')!
    expect(projector.spec.maxReplicaCount).toBe(12)
  })

  it('refuses an invalid object or a scaler on a topic the manifest lacks (exit 2), naming object and field', async () => {
    const gatewayFile = path.join(stackCopy, 'k8s', 'base', 'services', 'gateway.yaml')
    const gateway = await readFile(gatewayFile, 'utf8')
    await writeFile(gatewayFile, gateway.replace('containerPort: 8080', 'containerPort: "8080"'))
    const broken = await runCli(['deploy', 'render', '--stack', stackCopy])
    await writeFile(gatewayFile, gateway)
    expect(broken.exitCode).toBe(2)
    expect(broken.stdout).toBe('')
    expect(broken.stderr).toContain(
      'Deployment/gateway: spec.template.spec.containers[0].ports[0].containerPort must be integer',
    )

    const scalerFile = path.join(stackCopy, 'k8s', 'base', 'keda', 'projector.yaml')
    const scaler = await readFile(scalerFile, 'utf8')
    await writeFile(scalerFile, scaler.replace('topic: user-events', 'topic: user-events-v2'))
    const missing = await runCli(['deploy', 'render', '--stack', stackCopy])
    await writeFile(scalerFile, scaler)
    expect(missing.exitCode).toBe(2)
    expect(missing.stderr).toContain('ScaledObject/projector: topic "user-events-v2" is not in topics:')
  })
})
