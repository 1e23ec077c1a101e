// One thing `streamctl doctor` found: what, how it stands, and the command that fixes it.
export type FindingStatus = 'ok' | 'warn' | 'fail'

export interface Fix {
  /** The exact command a user runs to fix this. */
  command: string
  /** Debian packages `--fix` installs (as root). */
  packages?: string[]
  /** A command `--fix` runs to start a stopped server. */
  start?: string[]
}

export interface Finding {
  id: string
  area: 'runtime' | 'docker' | 'binary' | 'server' | 'stack' | 'port'
  title: string
  status: FindingStatus
  detail: string
  fix?: Fix
  /** A port in use by the running stack itself: which of its components holds it. */
  heldByStack?: {component: string; pid?: number}
}
