// `streamctl doctor --fix`: installs missing Debian packages and starts stopped servers, as root,
// and reports every command it ran with its outcome.
import {findBinary, runQuietly} from '../host/binaries.js'
import type {Finding} from './finding.js'
import {shellQuote} from './checks.js'

export interface FixAction {
  command: string
  ok: boolean
  output?: string
}

export interface FixPlan {
  packages: string[]
  starts: string[][]
  /** Findings --fix cannot address, with the command the user must run. */
  manual: Finding[]
}

export function planFixes(findings: Finding[]): FixPlan {
  const packages = new Set<string>()
  const starts: string[][] = []
  const manual: Finding[] = []
  for (const finding of findings) {
    if (finding.status === 'ok' || !finding.fix) continue
    if (!finding.fix.packages && !finding.fix.start) {
      manual.push(finding)
      continue
    }
    for (const name of finding.fix.packages ?? []) packages.add(name)
    if (finding.fix.start) starts.push(finding.fix.start)
  }
  return {packages: [...packages].sort(), starts, manual}
}

export async function applyFixes(plan: FixPlan, isRoot = process.getuid?.() === 0): Promise<FixAction[]> {
  const actions: FixAction[] = []
  if (plan.packages.length > 0) {
    const aptGet = await findBinary('apt-get')
    if (!aptGet || !isRoot) {
      actions.push({
        command: `apt-get install -y ${plan.packages.join(' ')}`,
        ok: false,
        output: !aptGet
          ? 'apt-get not found: install the packages with your package manager'
          : 'not root: rerun as root (sudo streamctl doctor --fix) or run the command yourself',
      })
    } else {
      const env = ['DEBIAN_FRONTEND=noninteractive']
      let install = await runQuietly('env', [...env, aptGet, 'install', '-y', '-q', ...plan.packages], 600_000)
      if (!install.ok) {
        // A fresh machine often has no package lists yet.
        const update = await runQuietly('env', [...env, aptGet, 'update', '-q'], 600_000)
        actions.push({command: 'apt-get update', ok: update.ok, output: lastLines(update.stderr || update.stdout)})
        install = await runQuietly('env', [...env, aptGet, 'install', '-y', '-q', ...plan.packages], 600_000)
      }
      actions.push({
        command: `apt-get install -y ${plan.packages.join(' ')}`,
        ok: install.ok,
        output: lastLines(install.ok ? install.stdout : install.stderr || install.stdout),
      })
    }
  }
  for (const start of plan.starts) {
    const [file, ...args] = start
    const result = await runQuietly(file!, args, 120_000)
    actions.push({
      command: start.map(shellQuote).join(' '),
      ok: result.ok,
      output: lastLines(result.stderr || result.stdout),
    })
  }
  return actions
}

function lastLines(text: string, count = 3): string {
  return text.trim().split('\n').slice(-count).join('\n')
}
