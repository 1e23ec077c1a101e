import {Chalk, type ChalkInstance} from 'chalk'

/** A chalk that colours only when the output mode allows it (never in CI, pipes or NO_COLOR). */
export function styler(color: boolean): ChalkInstance {
  return new Chalk({level: color ? 1 : 0})
}

/** Status marks that read the same with and without colour. */
export function statusMark(status: 'ok' | 'warn' | 'fail', style: ChalkInstance): string {
  switch (status) {
    case 'ok':
      return style.green('ok  ')
    case 'warn':
      return style.yellow('warn')
    case 'fail':
      return style.red('FAIL')
  }
}
