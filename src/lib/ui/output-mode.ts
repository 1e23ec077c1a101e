// The one place that decides how a command talks to its user.

/**
 * - `json`: only the command's JSON result goes to stdout; progress goes to stderr as plain lines.
 * - `live`: an ink view, redrawn in place (stdout is a terminal and this is not CI).
 * - `lines`: throttled, line-oriented progress with a heartbeat and no ANSI codes (pipes, files, CI).
 */
export type OutputMode = 'json' | 'live' | 'lines'

export interface OutputContext {
  json: boolean
  isTTY: boolean
  env: NodeJS.ProcessEnv
}

export function chooseOutputMode({json, isTTY, env}: OutputContext): OutputMode {
  if (json) return 'json'
  if (!isTTY || isCI(env) || env.TERM === 'dumb') return 'lines'
  return 'live'
}

/** CI systems set `CI` (GitHub Actions, GitLab, Buildkite, CircleCI, Jenkins via plugins). */
export function isCI(env: NodeJS.ProcessEnv): boolean {
  const value = env.CI
  return value !== undefined && value !== '' && value !== '0' && value.toLowerCase() !== 'false'
}

/** Colour only for a person at a terminal, and never when NO_COLOR is set (no-color.org). */
export function useColor(mode: OutputMode, env: NodeJS.ProcessEnv): boolean {
  return mode === 'live' && (env.NO_COLOR === undefined || env.NO_COLOR === '')
}
