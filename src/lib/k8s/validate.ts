// Every object `deploy render` prints is checked against its Kubernetes schema before it is shown:
// the core kinds and KEDA's by kubernetes-models' run-time validators, ServiceMonitor (which has no
// model there) by a JSON Schema of the fields prometheus-operator requires. A kind with no check is
// a problem too, so nothing reaches `kubectl apply` unchecked.
import {StreamctlError} from '../errors.js'
import {newAjv} from '../yaml/ajv.js'

export interface K8sObject {
  apiVersion: string
  kind: string
  metadata: {name: string; namespace?: string; labels?: Record<string, string>; [field: string]: unknown}
  [field: string]: unknown
}

export interface K8sProblem {
  /** `Kind/name`. */
  object: string
  /** The field, dotted (`spec.template.spec.containers[0].ports[0].containerPort`), or `` for the object. */
  field: string
  message: string
}

type Validator = (object: K8sObject) => void | Promise<void>

/** A kubernetes-models class: constructed from the object, it validates on `.validate()`. */
type ModelClass = new (data: never) => {validate(): void}

const model =
  (load: () => Promise<ModelClass>): Validator =>
  async (object) => {
    const Model = await load()
    new Model(object as never).validate()
  }

const VALIDATORS: Record<string, Validator> = {
  'v1/ConfigMap': model(async () => (await import('kubernetes-models/v1/ConfigMap')).ConfigMap),
  'v1/Secret': model(async () => (await import('kubernetes-models/v1/Secret')).Secret),
  'v1/Service': model(async () => (await import('kubernetes-models/v1/Service')).Service),
  'apps/v1/Deployment': model(async () => (await import('kubernetes-models/apps/v1/Deployment')).Deployment),
  'batch/v1/Job': model(async () => (await import('kubernetes-models/batch/v1/Job')).Job),
  'policy/v1/PodDisruptionBudget': model(
    async () => (await import('kubernetes-models/policy/v1/PodDisruptionBudget')).PodDisruptionBudget,
  ),
  'autoscaling/v2/HorizontalPodAutoscaler': model(
    async () => (await import('kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler')).HorizontalPodAutoscaler,
  ),
  'keda.sh/v1alpha1/ScaledObject': model(
    async () => (await import('@kubernetes-models/keda/keda.sh/v1alpha1/ScaledObject')).ScaledObject,
  ),
  'keda.sh/v1alpha1/TriggerAuthentication': model(
    async () => (await import('@kubernetes-models/keda/keda.sh/v1alpha1/TriggerAuthentication')).TriggerAuthentication,
  ),
  'monitoring.coreos.com/v1/ServiceMonitor': checkServiceMonitor,
}

/** The kinds this build can check, as `apiVersion/kind`. */
export const VALIDATED_KINDS = Object.keys(VALIDATORS)

/** Every problem of every object; empty when all are valid. */
export async function findProblems(objects: K8sObject[]): Promise<K8sProblem[]> {
  const problems: K8sProblem[] = []
  for (const object of objects) {
    const name = `${object.kind}/${object.metadata?.name ?? '(no name)'}`
    const validate = VALIDATORS[`${object.apiVersion}/${object.kind}`]
    if (!validate) {
      problems.push({
        object: name,
        field: 'apiVersion',
        message: `no schema for ${object.apiVersion} ${object.kind} (checked kinds: ${VALIDATED_KINDS.join(', ')})`,
      })
      continue
    }
    try {
      await validate(object)
    } catch (error) {
      problems.push(...describeFailure(name, error))
    }
  }
  return problems
}

/** Throws K8S_MANIFEST_INVALID naming each object and field when any object is invalid. */
export async function validateObjects(objects: K8sObject[]): Promise<void> {
  const problems = await findProblems(objects)
  if (problems.length === 0) return
  const lines = problems.map(
    (problem) => `  ${problem.object}: ${problem.field ? `${problem.field} ` : ''}${problem.message}`,
  )
  throw new StreamctlError(
    'K8S_MANIFEST_INVALID',
    `${problems.length} invalid Kubernetes field(s):\n${lines.join('\n')}`,
    {
      hint: 'Fix the manifests under k8s/ (or the overlay) that produce these objects.',
      details: problems,
    },
  )
}

interface AjvLikeError {
  instancePath: string
  message?: string
  params?: Record<string, unknown>
}

function describeFailure(object: string, error: unknown): K8sProblem[] {
  const errors = (error as {errors?: AjvLikeError[]}).errors
  if (!Array.isArray(errors) || errors.length === 0)
    return [{object, field: '', message: error instanceof Error ? error.message : String(error)}]
  return errors.map((entry) => {
    const missing = typeof entry.params?.missingProperty === 'string' ? entry.params.missingProperty : undefined
    const field = fieldPath(entry.instancePath, missing)
    return {object, field, message: missing ? 'is required' : (entry.message ?? 'is invalid')}
  })
}

/** `/spec/containers/0/ports/0/containerPort` → `spec.containers[0].ports[0].containerPort`. */
function fieldPath(pointer: string, last?: string): string {
  const segments = pointer
    .split('/')
    .slice(1)
    .concat(last ? [last] : [])
  return segments.reduce(
    (path, segment) => (/^\d+$/.test(segment) ? `${path}[${segment}]` : path ? `${path}.${segment}` : segment),
    '',
  )
}

/** prometheus-operator's ServiceMonitor: the fields it needs to find and scrape a Service. */
const SERVICE_MONITOR_SCHEMA = {
  type: 'object',
  required: ['metadata', 'spec'],
  properties: {
    metadata: {type: 'object', required: ['name'], properties: {name: {type: 'string', minLength: 1}}},
    spec: {
      type: 'object',
      required: ['selector', 'endpoints'],
      properties: {
        selector: {type: 'object'},
        endpoints: {
          type: 'array',
          minItems: 1,
          items: {
            type: 'object',
            anyOf: [{required: ['port']}, {required: ['targetPort']}],
            properties: {
              port: {type: 'string', minLength: 1},
              path: {type: 'string', pattern: '^/'},
              interval: {type: 'string', pattern: '^[0-9]+(ms|s|m|h)$'},
              relabelings: {type: 'array', items: {type: 'object'}},
            },
          },
        },
      },
    },
  },
}

let serviceMonitorCheck: ReturnType<ReturnType<typeof newAjv>['compile']> | undefined

function checkServiceMonitor(object: K8sObject): void {
  serviceMonitorCheck ??= newAjv({allErrors: true, strict: false}).compile(SERVICE_MONITOR_SCHEMA)
  if (!serviceMonitorCheck(object))
    throw Object.assign(new Error('invalid ServiceMonitor'), {errors: serviceMonitorCheck.errors})
}
