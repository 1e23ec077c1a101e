// How often a reliability property is tried. `npm test` (CI) runs each once, or over a small corpus;
// `npm run test:reliability` sets RELIABILITY_TRIALS (default 3, see vitest.reliability.config.ts)
// and every trial count and corpus size scales with it. Each property prints one parseable line:
//   RELIABILITY <subject> trials=<n> failures=<n> [key=value ...]
export const TRIALS = Math.max(1, Math.floor(Number(process.env.RELIABILITY_TRIALS ?? 1)) || 1)

/** A count for this run: `ciCount` in CI, scaled by RELIABILITY_TRIALS in the reliability run. */
export function scaled(ciCount: number): number {
  return ciCount * TRIALS
}

export function printFigure(
  subject: string,
  figures: {trials: number; failures: number} & Record<string, number | string>,
): void {
  const extra = Object.entries(figures)
    .filter(([key]) => key !== 'trials' && key !== 'failures')
    .map(([key, value]) => `${key}=${value}`)
  console.log(['RELIABILITY', subject, `trials=${figures.trials}`, `failures=${figures.failures}`, ...extra].join(' '))
}

/**
 * Runs `trial` `count` times in turn, counting failed trials, prints the figure line, then fails
 * with the first failure (so a failing trial is reported with its own assertion message).
 */
export async function runTrials(
  subject: string,
  count: number,
  trial: (index: number) => Promise<Record<string, number | string> | void>,
): Promise<void> {
  const failures: unknown[] = []
  const totals: Record<string, number | string> = {}
  for (let index = 0; index < count; index++) {
    try {
      const figures = (await trial(index)) ?? {}
      for (const [key, value] of Object.entries(figures))
        totals[key] =
          typeof value === 'number' && typeof totals[key] === 'number' ? (totals[key] as number) + value : value
    } catch (error) {
      failures.push(error)
    }
  }
  printFigure(subject, {trials: count, failures: failures.length, ...totals})
  if (failures.length > 0) throw failures[0]
}
