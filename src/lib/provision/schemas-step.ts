// Registering the manifest's event schemas (JSON Schema) under their subjects in a
// Confluent-compatible schema registry — the embedded one or a real one. A schema already
// registered under its subject is left alone; a changed one becomes a new version, after the
// registry confirms it is compatible with the latest, so an incompatible change fails the plan.
import {readFile} from 'node:fs/promises'
import path from 'node:path'
import {StreamctlError} from '../errors.js'
import type {EventSchema} from '../stack/manifest.js'
import {unchanged, type PlannedChange, type PlannedStep} from './plan.js'

const CONTENT_TYPE = 'application/vnd.schemaregistry.v1+json'

interface RegistryAnswer {
  status: number
  body: {error_code?: number; message?: string; id?: number; version?: number; is_compatible?: boolean}
}

export async function planSchemas(
  schemas: EventSchema[],
  stackDir: string,
  registryUrl: string | undefined,
): Promise<PlannedStep> {
  const step: PlannedStep = {
    area: 'event schemas',
    changes: [],
    conflicts: [],
    warnings: [],
    apply: async () => [],
    close: async () => {},
  }
  if (schemas.length === 0) return step
  if (!registryUrl) {
    step.changes = schemas.map((schema) => ({
      kind: 'schema',
      name: schema.subject,
      action: 'skip',
      detail: 'no schema registry in this stack',
    }))
    return step
  }
  const pending: Array<{schema: EventSchema; text: string; change: PlannedChange}> = []
  for (const schema of schemas) {
    const text = await readFile(path.resolve(stackDir, schema.file), 'utf8')
    const payload = {schemaType: 'JSON', schema: text}
    const found = await call(registryUrl, 'POST', `/subjects/${encodeURIComponent(schema.subject)}`, payload)
    if (found.status === 200) {
      step.changes.push(
        unchanged('schema', schema.subject, `registered as version ${found.body.version} (id ${found.body.id})`),
      )
      continue
    }
    if (found.body.error_code === 40401) {
      const change: PlannedChange = {
        kind: 'schema',
        name: schema.subject,
        action: 'create',
        detail: `register ${schema.file} as version 1`,
      }
      step.changes.push(change)
      pending.push({schema, text, change})
      continue
    }
    if (found.body.error_code !== 40403) throw registryFailure(registryUrl, schema.subject, found)
    const check = await call(
      registryUrl,
      'POST',
      `/compatibility/subjects/${encodeURIComponent(schema.subject)}/versions/latest?verbose=true`,
      payload,
    )
    if (check.status !== 200) throw registryFailure(registryUrl, schema.subject, check)
    if (check.body.is_compatible === false) {
      step.conflicts.push(
        `schema ${schema.file} is not compatible with the latest version of subject "${schema.subject}" in the registry; make the change compatible or change the subject's compatibility level`,
      )
      continue
    }
    const change: PlannedChange = {
      kind: 'schema',
      name: schema.subject,
      action: 'update',
      detail: `register ${schema.file} as a new version`,
    }
    step.changes.push(change)
    pending.push({schema, text, change})
  }
  step.apply = async () => {
    const applied: PlannedChange[] = []
    for (const {schema, text, change} of pending) {
      const answer = await call(registryUrl, 'POST', `/subjects/${encodeURIComponent(schema.subject)}/versions`, {
        schemaType: 'JSON',
        schema: text,
      })
      if (answer.status !== 200) throw registryFailure(registryUrl, schema.subject, answer)
      applied.push({...change, detail: `${change.detail} (id ${answer.body.id})`})
    }
    return applied
  }
  return step
}

async function call(baseUrl: string, method: string, route: string, body: unknown): Promise<RegistryAnswer> {
  let response: Response
  try {
    response = await fetch(`${baseUrl.replace(/\/+$/, '')}${route}`, {
      method,
      headers: {'content-type': CONTENT_TYPE, accept: CONTENT_TYPE},
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(10_000),
    })
  } catch (error) {
    throw new StreamctlError(
      'SCHEMA_REGISTRY_FAILED',
      `the schema registry at ${baseUrl} does not answer: ${(error as Error).message}`,
      {hint: 'Check it with `streamctl status`.', cause: error},
    )
  }
  const text = await response.text()
  let parsed: RegistryAnswer['body'] = {}
  try {
    parsed = text ? (JSON.parse(text) as RegistryAnswer['body']) : {}
  } catch {
    parsed = {message: text.slice(0, 200)}
  }
  return {status: response.status, body: parsed}
}

function registryFailure(baseUrl: string, subject: string, answer: RegistryAnswer): StreamctlError {
  return new StreamctlError(
    'SCHEMA_REGISTRY_FAILED',
    `schema registry ${baseUrl} answered ${answer.status} for subject "${subject}": ${answer.body.message ?? 'no message'}${answer.body.error_code ? ` (error ${answer.body.error_code})` : ''}`,
    {
      details: {subject, status: answer.status, errorCode: answer.body.error_code},
    },
  )
}
