// A standalone SLA file (`--sla FILE`): the same mapping as the manifest's `sla:` section, either at
// the top level or under an `sla:` key. Every problem is reported as `file:line:col: message` (exit 2).
import {displayPath} from '../text/display-path.js'
import {sourceProblemsError, YamlSource} from '../yaml/source.js'
import {readSlaTargets, type SlaTarget} from './targets.js'

export async function readSlaFile(file: string): Promise<SlaTarget[]> {
  const source = await YamlSource.read(file, displayPath(file))
  let targets: SlaTarget[] = []
  if (source.problems.length === 0) {
    const raw = source.value()
    if (raw === null || typeof raw !== 'object' || Array.isArray(raw))
      source.report([], 'an SLA file is a mapping of metric name → threshold, e.g. "generate.accept: p(99)<100ms"')
    else if ('sla' in raw && Object.keys(raw).length === 1)
      targets = readSlaTargets(source, (raw as {sla: unknown}).sla, ['sla'])
    else targets = readSlaTargets(source, raw, [])
  }
  if (source.problems.length > 0)
    throw sourceProblemsError(
      'SLA_FILE_INVALID',
      source.file,
      source.problems,
      'Fix the lines above; thresholds look like p(99)<200ms, rate<0.1% or ==0.',
    )
  return targets
}
