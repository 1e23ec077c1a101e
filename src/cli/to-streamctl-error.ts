// Turns whatever a command, oclif's parser or a hook threw into a StreamctlError, so the exit code
// and the --json error shape are decided in one place (main.ts).
import {CLIError} from '@oclif/core/errors'
import {StreamctlError} from '../lib/errors.js'
import {closestMatch} from '../lib/text/suggest.js'

// oclif rewrites the message of an error thrown by a flag's parse(); this undoes it.
const FLAG_PARSE_WRAPPER = /^Parsing --([\w-]+) \n\t([\s\S]*)\nSee more help with --help$/

export function toStreamctlError(error: unknown): StreamctlError {
  if (error instanceof StreamctlError) {
    const wrapped = FLAG_PARSE_WRAPPER.exec(error.message)
    if (!wrapped) return error
    const inner = wrapped[2]!
    const message = inner.startsWith(`--${wrapped[1]}`) ? inner : `--${wrapped[1]}: ${inner}`
    return new StreamctlError(error.code, message, {hint: error.hint, cause: error.cause, details: error.details})
  }
  if (isParseError(error, 'NonExistentFlagsError')) {
    const known = Object.keys(error.parse?.input?.flags ?? {})
    const unknown = error.flags ?? []
    const suggestions = unknown
      .map((flag) => [flag, closestMatch(flag.replace(/^-+/, '').split('=')[0]!, known)] as const)
      .filter(([, suggestion]) => suggestion !== undefined)
      .map(([flag, suggestion]) => (unknown.length === 1 ? `--${suggestion}` : `--${suggestion} (for ${flag})`))
    return new StreamctlError('UNKNOWN_FLAG', `unknown flag${unknown.length === 1 ? '' : 's'}: ${unknown.join(', ')}`, {
      hint:
        suggestions.length > 0
          ? `Did you mean ${suggestions.join(', ')}? See --help for the flags this command takes.`
          : 'See --help for the flags this command takes.',
      cause: error,
    })
  }
  if (isParseError(error, 'RequiredArgsError')) {
    return new StreamctlError('MISSING_ARGUMENT', firstLine(error.message), {
      hint: 'See --help for the arguments this command takes.',
      cause: error,
    })
  }
  if (isParseError(error, 'UnexpectedArgsError')) {
    return new StreamctlError('UNEXPECTED_ARGUMENT', firstLine(error.message), {
      hint: 'See --help for the arguments this command takes.',
      cause: error,
    })
  }
  if (isParseError(error)) {
    return new StreamctlError('INVALID_FLAG', flagParseMessage(error.message), {
      hint: 'See --help for accepted values.',
      cause: error,
    })
  }
  const wrapped = error instanceof Error ? FLAG_PARSE_WRAPPER.exec(error.message) : null
  if (wrapped) {
    return new StreamctlError('INVALID_FLAG', `--${wrapped[1]}: ${wrapped[2]}`, {
      hint: 'See --help for accepted values.',
      cause: error,
    })
  }
  if (error instanceof CLIError) {
    const exit = error.oclif?.exit
    return new StreamctlError(exit === 2 ? 'USAGE' : 'COMMAND_FAILED', stripAnsi(error.message), {cause: error})
  }
  const message = error instanceof Error ? error.message : String(error)
  return new StreamctlError('INTERNAL', `unexpected error: ${message}`, {
    hint: 'This is a bug in streamctl. Rerun with STREAMCTL_DEBUG=1 for the stack trace and report it.',
    cause: error,
  })
}

// oclif does not export its parser errors; they are recognised by class name and shape.
interface ParseErrorShape extends Error {
  parse?: {input?: {flags?: Record<string, unknown>}}
  flags?: string[]
}

const PARSE_ERRORS = new Set([
  'CLIParseError',
  'InvalidArgsSpecError',
  'RequiredArgsError',
  'UnexpectedArgsError',
  'NonExistentFlagsError',
  'FlagInvalidOptionError',
  'ArgInvalidOptionError',
  'FailedFlagValidationError',
  'ViolatedFlagConstraintError',
])

function isParseError(error: unknown, name?: string): error is ParseErrorShape {
  if (!(error instanceof Error)) return false
  const className = error.constructor.name
  return name === undefined ? PARSE_ERRORS.has(className) : className === name
}

function firstLine(text: string): string {
  return stripAnsi(text).split('\n')[0]!.trim()
}

function flagParseMessage(text: string): string {
  return stripAnsi(text)
    .replace(/\nSee more help with --help$/, '')
    .replace(/\n\t/g, ' ')
    .trim()
}

function stripAnsi(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/\u001B\[[0-9;]*m/g, '')
}
