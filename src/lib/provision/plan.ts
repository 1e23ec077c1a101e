// The shape of a provisioning plan: one line per resource of the manifest, saying what `provision`
// would do to it. The same list, filtered to what changed, is what a real run reports.

export type ResourceKind = 'topic' | 'schema' | 'migration' | 'queue' | 'binding' | 'tier' | 'users' | 'api-keys'

/** create/update/apply change something; none means it already matches; skip means not applicable here. */
export type PlanAction = 'create' | 'update' | 'apply' | 'none' | 'skip'

export interface PlannedChange {
  kind: ResourceKind
  name: string
  action: PlanAction
  /** What exactly, e.g. "6 partitions, replication 1" or "retention.ms 86400000 → 604800000". */
  detail: string
}

/** One area of provisioning (Kafka topics, schemas, queues, the database), planned before anything is applied. */
export interface PlannedStep {
  area: string
  changes: PlannedChange[]
  /** Problems that make the plan impossible (e.g. fewer partitions than the topic has). */
  conflicts: string[]
  warnings: string[]
  /** Makes the changes; returns what it changed (may differ in counts from the plan, e.g. keys issued). */
  apply(): Promise<PlannedChange[]>
  close(): Promise<void>
}

export function isChange(change: PlannedChange): boolean {
  return change.action === 'create' || change.action === 'update' || change.action === 'apply'
}

export function unchanged(kind: ResourceKind, name: string, detail = 'up to date'): PlannedChange {
  return {kind, name, action: 'none', detail}
}

/** Finishes planning a step that holds a connection, closing it if planning fails. */
export async function closeOnFailure<T extends PlannedStep>(step: T, plan: () => Promise<T>): Promise<T> {
  try {
    return await plan()
  } catch (error) {
    await step.close()
    throw error
  }
}
