// Durations as users write them on flags and in YAML: "250ms", "30s", "5m", "1h30m", "2d".

const UNIT_MS: Record<string, number> = {us: 0.001, µs: 0.001, ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000}
const PART = /(\d+(?:\.\d+)?)(us|µs|ms|s|m|h|d)/gy

/** Milliseconds in a duration, or undefined when `text` is not one. A bare number is not accepted. */
export function parseDuration(text: string): number | undefined {
  const trimmed = text.trim()
  if (trimmed === '') return undefined
  PART.lastIndex = 0
  let total = 0
  let consumed = 0
  for (let match = PART.exec(trimmed); match; match = PART.exec(trimmed)) {
    total += Number(match[1]) * UNIT_MS[match[2]!]!
    consumed = PART.lastIndex
  }
  return consumed === trimmed.length ? total : undefined
}

export const DURATION_HINT = 'a duration such as 500ms, 30s, 5m or 1h30m'

/** The shortest readable form: 1500 → "1.5s", 90000 → "1m30s". */
export function formatDuration(ms: number): string {
  if (ms < 1) return `${Math.round(ms * 1000)}us`
  if (ms < 1000) return `${Number(ms.toFixed(ms < 10 ? 2 : 1))}ms`
  if (ms < 60_000) return `${Number((ms / 1000).toFixed(2))}s`
  const totalSeconds = Math.round(ms / 1000)
  const h = Math.floor(totalSeconds / 3600)
  const m = Math.floor((totalSeconds % 3600) / 60)
  const s = totalSeconds % 60
  return `${h > 0 ? `${h}h` : ''}${m > 0 ? `${m}m` : ''}${s > 0 ? `${s}s` : ''}` || '0s'
}
