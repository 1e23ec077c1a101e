// Which SLA targets a bench is judged by: `--sla FILE` when given, else the profile's own `sla:`,
// else the stack manifest's default.
import type {LoadProfile} from '../load/profile.js'
import type {Stack} from '../stack/load-stack.js'
import {displayPath} from '../stack/load-stack.js'
import path from 'node:path'
import {readSlaFile} from './sla-file.js'
import type {SlaTarget} from './targets.js'

export async function chooseSlaTargets(stack: Stack, profile: LoadProfile, slaFile: string | undefined): Promise<{targets: SlaTarget[]; source?: string}> {
  if (slaFile) return {targets: await readSlaFile(slaFile), source: displayPath(path.resolve(slaFile))}
  if (profile.sla.length > 0) return {targets: profile.sla, source: `profile ${profile.name}`}
  if (stack.manifest.sla.length > 0) return {targets: stack.manifest.sla, source: `stack manifest ${stack.manifest.name}`}
  return {targets: []}
}
