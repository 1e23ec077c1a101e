// `bench --k8s-job N` and `report merge --k8s-job NAME` as a user runs them. No Kubernetes cluster
// runs here: the rendered pod command is run as N local processes with JOB_COMPLETION_INDEX set, as
// the Job's pods would, against a real local reference stack; their stdout is the pods' logs, served
// by a fake kubectl on PATH (the only fake: it stands in for the API server).
import {execa} from 'execa'
import * as hdr from 'hdr-histogram-js'
import {mkdtemp, readFile, rm, symlink, writeFile, mkdir} from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import {Job, type IJob} from 'kubernetes-models/batch/v1'
import {parse} from 'yaml'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import type {BenchResult, K8sJobJson} from '../../src/commands/bench.js'
import type {ReportMergeResult} from '../../src/commands/report/merge.js'
import {decodeHistogram} from '../../src/lib/measure/histogram.js'
import {parseRecordLog} from '../../src/lib/report/record-log.js'
import type {RunRecord} from '../../src/lib/report/run-record.js'
import {BIN, ROOT, runCli} from '../helpers/cli.js'
import {makeTestStack, type TestStack} from '../helpers/stacks.js'

const FAKE_KUBECTL = path.join(ROOT, 'test/helpers/fake-kubectl')
const PROFILE = (sla: string) =>
  `duration: 4s\nrate: 30\nrequests:\n  - {use: metadata, weight: 2}\n  - {use: recommendations}\nsla:\n${sla}`

let stack: TestStack
let dir: string
let bin: string
let gateway: string
const kube = () => ({FAKE_KUBECTL_DIR: dir, PATH: `${FAKE_KUBECTL}${path.delimiter}${process.env.PATH}`})

beforeAll(async () => {
  stack = await makeTestStack({keep: ['postgres', 'redis', 'rabbitmq', 'recommender', 'gateway']})
  dir = await mkdtemp(path.join(os.tmpdir(), 'streamctl-k8s-job-'))
  // The image puts the CLI on PATH as `streamctl` (Dockerfile); here the same built CLI.
  bin = path.join(dir, 'bin')
  await mkdir(bin)
  await symlink(BIN, path.join(bin, 'streamctl'))
  await writeFile(path.join(dir, 'pods.json'), '[]')
  await writeFile(
    path.join(stack.dir, 'profiles', 'sharded.yaml'),
    PROFILE('  metadata: {threshold: p(99)<1m, allowInconclusive: true}\n'),
  )
  for (const command of ['up', 'provision']) {
    const result = await runCli(
      [command, '--stack', stack.dir, '--json', ...(command === 'up' ? ['--driver', 'local'] : [])],
      {
        env: stack.env,
        timeoutMs: 180_000,
      },
    )
    expect(result.exitCode, result.stderr.slice(-2000)).toBe(0)
  }
  const state = JSON.parse(await readFile(path.join(stack.stateRoot, stack.name, 'state.json'), 'utf8'))
  gateway = state.endpoints.services.gateway
}, 240_000)
afterAll(async () => {
  await runCli(['down', '--volumes', '--stack', stack.dir], {env: stack.env, timeoutMs: 120_000})
  await stack.cleanup()
  await rm(dir, {recursive: true, force: true})
}, 120_000)

/** Renders the Job (the user's flags) and checks it is the Indexed Job of the contract. */
async function renderJob(name: string, args: string[]): Promise<IJob> {
  const result = await runCli(
    [
      'bench',
      'sharded',
      '--stack',
      stack.dir,
      '--k8s-job',
      '3',
      '--job-name',
      name,
      '--target',
      gateway,
      '--render',
      ...args,
    ],
    {env: stack.env},
  )
  expect(result.exitCode, result.stderr).toBe(0)
  const job = parse(result.stdout) as IJob
  new Job(job).validate()
  expect(job.spec).toMatchObject({completionMode: 'Indexed', completions: 3, parallelism: 3})
  return job
}

/** Runs pod i's command as a local process with the environment the pod would have; its stdout is its log. */
async function runPods(job: IJob): Promise<string[]> {
  const container = job.spec!.template.spec!.containers[0]!
  const podEnv = Object.fromEntries(container.env!.filter((v) => v.value !== undefined).map((v) => [v.name, v.value!]))
  // The pod reads the provisioned users' keys from the Secret mounted at $STREAMCTL_STATE_DIR/<stack>;
  // here that directory is the local stack's state directory.
  expect(podEnv.STREAMCTL_STATE_DIR).toBe('/var/run/streamctl')
  expect(container.volumeMounts![0]!.mountPath).toBe(`/var/run/streamctl/${stack.name}`)
  const [file, ...args] = container.command!
  const pods = await Promise.all(
    [0, 1, 2].map((index) =>
      execa(file!, args, {
        env: {
          ...podEnv,
          STREAMCTL_STATE_DIR: stack.stateRoot,
          JOB_COMPLETION_INDEX: String(index),
          CI: '1',
          PATH: `${bin}${path.delimiter}${process.env.PATH}`,
        },
        reject: false,
        timeout: 60_000,
      }),
    ),
  )
  for (const pod of pods) expect(pod.exitCode, pod.stderr.slice(-2000)).toBe(0)
  return pods.map((pod) => String(pod.stdout))
}

/** What `kubectl get pods` and `kubectl logs` will serve for the Job. */
async function servePods(job: string, logs: Array<string | undefined>, phase = 'Succeeded') {
  const existing = JSON.parse(await readFile(path.join(dir, 'pods.json'), 'utf8')) as Array<{name: string}>
  const pods = logs.flatMap((log, index) =>
    log === undefined ? [] : [{name: `${job}-${index}-x${index}`, index, phase}],
  )
  for (const [index, log] of logs.entries())
    if (log !== undefined) await writeFile(path.join(dir, `${job}-${index}-x${index}.log`), log)
  await writeFile(
    path.join(dir, 'pods.json'),
    JSON.stringify([...existing.filter((pod) => !pod.name.startsWith(`${job}-`)), ...pods]),
  )
}

const merge = (args: string[]) =>
  runCli(['report', 'merge', '--out', path.join(dir, 'merged'), ...args], {env: {...stack.env, ...kube()}})

const requests = (record: RunRecord) =>
  Object.values(record.variants[0]!.totals).reduce((sum, series) => sum + series.counts.requests, 0)

describe('bench --k8s-job on the local reference stack', () => {
  let logs: string[]

  it('3 shards of the rendered pod command merge into the single run: the same requests, the p99 of the union', async () => {
    const single = await runCli(
      [
        'bench',
        'sharded',
        '--stack',
        stack.dir,
        '--target',
        gateway,
        '--seed',
        '1',
        '--out',
        path.join(dir, 'single'),
        '--no-html',
        '--json',
      ],
      {env: {...stack.env, CI: '1'}},
    )
    expect(single.exitCode, single.stderr.slice(-2000)).toBe(0)
    const whole = (JSON.parse(single.stdout) as BenchResult).run

    // No --seed given: the Job names the profile's (1), the same for every shard.
    const job = await renderJob('bench-sharded', [])
    expect(job.spec!.template.spec!.containers[0]!.command!.at(-1)).toMatch(
      / --seed 1 .*--shard "\$\(\(JOB_COMPLETION_INDEX \+ 1\)\)\/3"/,
    )
    logs = await runPods(job)
    await servePods('bench-sharded', logs)
    const result = await merge(['--k8s-job', 'bench-sharded', '--json'])
    expect(result.exitCode, result.stderr).toBe(0)
    const body = JSON.parse(result.stdout) as ReportMergeResult
    const merged = JSON.parse(await readFile(path.resolve(ROOT, body.reports[0]!.file), 'utf8')) as RunRecord
    const shards = logs.map((log, index) => parseRecordLog(log, `pod ${index}`))
    expect(shards.map((shard) => shard.shard)).toEqual([0, 1, 2].map((index) => ({index, count: 3})))

    expect(requests(whole)).toBeGreaterThan(100)
    expect(requests(merged)).toBe(requests(whole))
    for (const series of ['metadata', 'recommendations']) {
      const union = hdr.build({useWebAssembly: false})
      for (const shard of shards) union.add(decodeHistogram(shard.variants[0]!.totals[series]!.latencyHistogram))
      expect(union.totalCount).toBe(merged.variants[0]!.totals[series]!.counts.requests)
      expect(merged.variants[0]!.totals[series]!.latency.p99).toBe(union.getValueAtPercentile(99) / 1000)
    }
    // One verdict, with each pod's rows beside the merged ones.
    expect(merged.meta.mergedFrom).toEqual([0, 1, 2].map((index) => `pod/bench-sharded-${index}-x${index}`))
    expect(body.shards.filter((row) => row.series === 'metadata').map((row) => [row.shard, row.source])).toEqual([
      ['shard 1/3', 'pod/bench-sharded-0-x0'],
      ['shard 2/3', 'pod/bench-sharded-1-x1'],
      ['shard 3/3', 'pod/bench-sharded-2-x2'],
      ['merged', undefined],
    ])
    const text = await merge(['--k8s-job', 'bench-sharded'])
    expect(text.stdout).toMatch(/SLA PASSED/)
    expect(text.stdout).toMatch(/per shard\n.*\n\s+metadata\s+shard 1\/3\s+\d+/)
  }, 120_000)

  it('exits 99 when a target fails on the merged data, and refuses shards of another seed or a missing one', async () => {
    // The profile, edited to an impossible target, run again as a Job with another seed.
    await writeFile(path.join(stack.dir, 'profiles', 'sharded.yaml'), PROFILE('  metadata: p(99)<0.001ms\n'))
    const job = await renderJob('bench-tight', ['--seed', '8', '--duration', '2s', '--rate', '20'])
    const tight = await runPods(job)
    await servePods('bench-tight', tight)
    const failed = await merge(['--k8s-job', 'bench-tight', '--json'])
    expect(failed.exitCode, failed.stderr).toBe(99)
    expect(JSON.parse(failed.stdout)).toMatchObject({sla: {passed: false}, error: {code: 'SLA_FAILED', exitCode: 99}})

    await servePods('bench-mixed', [logs[0], logs[1], tight[2]])
    const mixed = await merge(['--k8s-job', 'bench-mixed'])
    expect(mixed.exitCode).toBe(2)
    expect(mixed.stderr).toMatch(
      /pod\/bench-mixed-2-x2 is a run of seed 8, pod\/bench-mixed-0-x0 of 1: only the shards of one run merge/,
    )
    expect(mixed.stderr).not.toMatch(/\n\s+at /)

    await servePods('bench-partial', [logs[0], undefined, logs[2]])
    const partial = await merge(['--k8s-job', 'bench-partial', '--json'])
    expect(partial.exitCode).toBe(2)
    expect(JSON.parse(partial.stdout).error).toMatchObject({
      code: 'SHARDS_INCOMPLETE',
      message: expect.stringMatching(/^shard 2\/3 missing/),
    })
  }, 120_000)
})

describe('bench --k8s-job without --render', () => {
  it('creates the Job with kubectl in the current context and says how to collect it; no context is exit 3', async () => {
    const args = ['bench', 'sharded', '--stack', stack.dir, '--k8s-job', '4', '--job-name', 'bench-applied']
    const result = await runCli(
      [...args, '--target', 'http://gateway.load.svc:8080', '--namespace', 'load', '--json'],
      {
        env: {...stack.env, ...kube(), FAKE_KUBECTL_LOG: path.join(dir, 'kubectl.log')},
      },
    )
    expect(result.exitCode, result.stderr).toBe(0)
    const body = JSON.parse(result.stdout) as K8sJobJson
    expect(body).toMatchObject({job: 'bench-applied', namespace: 'load', shards: 4, seed: 1, applied: true})
    const applied = parse(await readFile(path.join(dir, 'applied.yaml'), 'utf8')) as IJob
    expect(applied).toEqual(body.manifest)
    expect(applied.metadata).toMatchObject({name: 'bench-applied', namespace: 'load'})
    expect(applied.spec).toMatchObject({completionMode: 'Indexed', completions: 4, parallelism: 4})
    expect(
      (await readFile(path.join(dir, 'kubectl.log'), 'utf8'))
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line)),
    ).toEqual([
      ['config', 'current-context'],
      ['apply', '--filename', '-'],
    ])
    const text = await runCli([...args, '--target', 'http://gateway.load.svc:8080'], {env: {...stack.env, ...kube()}})
    expect(text.stdout).toMatch(
      /job\.batch\/bench-applied created\n4 shards of sharded \(seed 1\) started as job\/bench-applied/,
    )
    expect(text.stdout).toMatch(/streamctl report merge --k8s-job bench-applied$/m)

    const noContext = await runCli([...args, '--target', 'http://gateway.load.svc:8080'], {
      env: {...stack.env, ...kube(), FAKE_KUBECTL_NO_CONTEXT: '1'},
    })
    expect(noContext.exitCode).toBe(3)
    expect(noContext.stderr).toMatch(/kubectl has no current context: no cluster to use/)
    const noTarget = await runCli([...args, '--render'], {env: stack.env})
    expect(noTarget.exitCode).toBe(2)
    expect(noTarget.stderr).toMatch(/--k8s-job needs --target/)
  }, 60_000)
})
