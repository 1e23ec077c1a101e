// Throwaway stacks for lifecycle tests: a copy of a stack directory with its name, database,
// vhost, key prefix and the ports streamctl binds made unique, so tests never collide with each
// other or with a stack a developer has up.
import {cp, mkdtemp, readFile, rm, writeFile} from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import {parseDocument} from 'yaml'
import {freePort} from '../../src/lib/host/ports.js'
import {ROOT} from './cli.js'

export interface TestStack {
  dir: string
  name: string
  stateRoot: string
  env: NodeJS.ProcessEnv
  cleanup(): Promise<void>
}

/**
 * Copies `source` (default: the reference stack), keeping only `keep` components (all when
 * omitted), and rewrites names and ports. Shared-server ports (5432, 6379, 5672) stay.
 */
export async function makeTestStack(options: {keep?: string[]; source?: string} = {}): Promise<TestStack> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'streamctl-stack-'))
  await cp(options.source ?? path.join(ROOT, 'stacks/reference'), dir, {recursive: true})
  const stateRoot = await mkdtemp(path.join(os.tmpdir(), 'streamctl-state-'))
  const name = `t${Math.random().toString(36).slice(2, 10)}`
  const file = path.join(dir, 'stack.yaml')
  const doc = parseDocument(await readFile(file, 'utf8'))
  doc.set('name', name)
  const components = doc.get('components') as {items: Array<{key: {value: string}}>}
  const names = components.items.map((pair) => pair.key.value)
  for (const component of names) {
    if (options.keep && !options.keep.includes(component)) {
      doc.deleteIn(['components', component])
      continue
    }
    const kind = doc.getIn(['components', component, 'kind'])
    const dependsOn = doc.getIn(['components', component, 'dependsOn']) as {items?: Array<{value: string}>} | undefined
    if (dependsOn?.items && options.keep)
      doc.setIn(
        ['components', component, 'dependsOn'],
        dependsOn.items.map((item) => item.value).filter((dependency) => options.keep!.includes(dependency)),
      )
    if (kind === 'postgres') doc.setIn(['components', component, 'database'], name)
    else if (kind === 'rabbitmq') doc.setIn(['components', component, 'vhost'], name)
    else if (kind === 'redis') doc.setIn(['components', component, 'keyPrefix'], `${name}:`)
    else {
      doc.setIn(['components', component, 'port'], await freePort())
      const ports = doc.getIn(['components', component, 'ports']) as {items?: Array<{key: {value: string}}>} | undefined
      for (const pair of ports?.items ?? [])
        doc.setIn(['components', component, 'ports', pair.key.value], await freePort())
    }
  }
  await writeFile(file, doc.toString())
  return {
    dir,
    name,
    stateRoot,
    env: {STREAMCTL_STATE_DIR: stateRoot},
    cleanup: async () => {
      await rm(dir, {recursive: true, force: true})
      await rm(stateRoot, {recursive: true, force: true})
    },
  }
}
