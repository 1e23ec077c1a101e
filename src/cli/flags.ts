// Flags shared by several commands, each validating its own input in `parse`.
import {Flags} from '@oclif/core'
import {StreamctlError} from '../lib/errors.js'
import {DURATION_HINT, formatDuration, parseDuration} from '../lib/text/duration.js'

/** A duration flag (`30s`, `5m`, `1h30m`), parsed to milliseconds; help shows a default as a duration too. */
export const durationFlag = Flags.custom<number>({
  helpValue: '<duration>',
  defaultHelp: async ({options}) => (typeof options.default === 'number' ? formatDuration(options.default) : undefined),
  parse: async (input, _context, options) => {
    const ms = parseDuration(input)
    if (ms === undefined)
      throw new StreamctlError('INVALID_FLAG', `--${options.name} ${input}: expected ${DURATION_HINT}`)
    return ms
  },
})

/** A rate in requests per second: any positive number (`0.5`, `20`, `1500`). */
export const rateFlag = Flags.custom<number>({
  helpValue: '<req/s>',
  parse: async (input, _context, options) => {
    const value = Number(input)
    if (!(value > 0) || !Number.isFinite(value))
      throw new StreamctlError(
        'INVALID_FLAG',
        `--${options.name} ${input}: expected a positive number of requests per second`,
      )
    return value
  },
})
