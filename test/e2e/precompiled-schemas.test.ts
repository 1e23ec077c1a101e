// The build compiles JSON Schemas ahead of time (scripts/build/precompile-schemas.js) so the built
// CLI checks profiles, calibrations, manifests and SLA files without compiling their schemas, and
// the reference stack without compiling its event schemas. Each of streamctl's schemas must be
// among them, and each validator must say exactly what ajv compiling the schema at run time says,
// since every message, line and column a user sees comes from its errors; a stack's event schema
// the build did not compile is still checked.
import {cp, mkdtemp, readdir, readFile, rm, writeFile} from 'node:fs/promises'
import {createRequire} from 'node:module'
import os from 'node:os'
import path from 'node:path'
import type {ValidateFunction} from 'ajv'
import {parse} from 'yaml'
import {describe, expect, it} from 'vitest'
import {calibrationSchema, profileSchema} from '../../src/lib/load/profile.js'
import {slaTargetsSchema} from '../../src/lib/sla/targets.js'
import {COMPILED_EVENT_SCHEMAS_FILE, jsonSchemaProblem} from '../../src/lib/stack/load-stack.js'
import {manifestSchema} from '../../src/lib/stack/manifest.js'
import {newAjv} from '../../src/lib/yaml/ajv.js'
import {
  PRECOMPILED_SCHEMAS_FILE,
  SCHEMA_CHECK_OPTIONS,
  schemaKey,
  type JsonSchema,
} from '../../src/lib/yaml/schema-check.js'
import {ROOT, runCli} from '../helpers/cli.js'

const require = createRequire(import.meta.url)
const precompiled = require(path.join(ROOT, 'dist/lib/yaml', PRECOMPILED_SCHEMAS_FILE)) as Record<
  string,
  ValidateFunction
>
const compiledEventSchemas = require(path.join(ROOT, 'dist/lib/stack', COMPILED_EVENT_SCHEMAS_FILE)) as string[]

const reference = async (file: string) => parse(await readFile(path.join(ROOT, 'stacks/reference', file), 'utf8'))

/** Each schema with documents to check: the reference stack's own, and broken ones of every kind. */
async function cases(): Promise<Array<{name: string; schema: JsonSchema; documents: unknown[]}>> {
  const peak = await reference('profiles/peak.yaml')
  const manifest = await reference('stack.yaml')
  const calibration = await reference('calibrations/streamflow.yaml')
  const broken = [null, [], 'text', 3, {}]
  return [
    {
      name: 'profile',
      schema: profileSchema,
      documents: [
        peak,
        await reference('profiles/retry-storm.yaml'),
        await reference('profiles/cache-storm.yaml'),
        ...broken,
        {...peak, wieght: 2, rate: 'lots', model: 'half-open'},
        {...peak, requests: [{name: 1, method: 'FETCH', path: ['/x'], weight: -1}]},
        {...peak, stages: [{curve: 'zigzag'}, {curve: 'ramp', from: 'a'}], timeline: [{at: 5}]},
        {...peak, retry: {policy: 'exponential', delay: 3, extra: true}, sla: {API: 1}},
      ],
    },
    {
      name: 'calibration',
      schema: calibrationSchema,
      documents: [calibration, ...broken, {...calibration, costs: {llmLatency: 'slow', unknown: 1}}],
    },
    {
      name: 'manifest',
      schema: manifestSchema,
      documents: [
        manifest,
        ...broken,
        {...manifest, components: {gateway: {kind: 3, port: 'http'}}, topics: [{name: 'x', partitions: 'three'}]},
        {...manifest, name: 'Bad Name', schemas: [{}], extra: {}},
      ],
    },
    {
      name: 'SLA targets',
      schema: slaTargetsSchema,
      documents: [
        manifest.sla,
        ...broken,
        {API: 'p(99)<1s', api: [], other: [{threshold: 1, abortOnFail: 'yes', delayAbortEval: 'soon', extra: 1}]},
      ],
    },
  ]
}

describe('what the build compiles', () => {
  it("has every schema of streamctl's, its validator reporting exactly what ajv reports", async () => {
    for (const {name, schema, documents} of await cases()) {
      const built = precompiled[schemaKey(schema)]
      expect(built, `${name}: not precompiled by the build (or dist/ is older than src/)`).toBeDefined()
      const compiled = newAjv(SCHEMA_CHECK_OPTIONS).compile(schema)
      for (const [index, document] of documents.entries()) {
        const where = `${name} document ${index}`
        expect(built!(document), where).toBe(compiled(document))
        expect(built!.errors, where).toEqual(compiled.errors)
      }
    }
  })

  it('lists every event schema of the reference stack, each one ajv compiles', async () => {
    const dir = path.join(ROOT, 'stacks/reference/schemas')
    const keys: string[] = []
    for (const name of await readdir(dir)) {
      const json = JSON.parse(await readFile(path.join(dir, name), 'utf8')) as unknown
      expect(jsonSchemaProblem(json), name).toBeUndefined()
      keys.push(schemaKey(json))
    }
    expect([...compiledEventSchemas].sort()).toEqual(keys.sort())
  })

  it('still compiles an event schema the build did not, to say why it is unusable', async () => {
    const stack = await mkdtemp(path.join(os.tmpdir(), 'streamctl-schemas-'))
    try {
      await cp(path.join(ROOT, 'stacks/reference'), stack, {recursive: true})
      await writeFile(path.join(stack, 'schemas/user-event.schema.json'), '{"type": "object", "required": "userId"}\n')
      const result = await runCli(['validate', '--stack', stack])
      expect(result.exitCode).toBe(2)
      expect(result.stderr).toContain(
        'user-event.schema.json:1:1: not a usable JSON Schema: schema is invalid: data/required must be array',
      )
    } finally {
      await rm(stack, {recursive: true, force: true})
    }
  })
})
