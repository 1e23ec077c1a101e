import type {Hook} from '@oclif/core'
import {StreamctlError} from '../../lib/errors.js'
import {closestMatch} from '../../lib/text/suggest.js'

// An unknown command is a usage error (exit 2) with the nearest real command as a suggestion.
const hook: Hook.CommandNotFound = async function ({config, id}) {
  const shown = id.replaceAll(':', ' ')
  const commands = config.commandIDs.map((command) => command.replaceAll(':', ' '))
  const suggestion = closestMatch(shown, commands) ?? closestMatch(shown.split(' ')[0]!, commands)
  throw new StreamctlError('UNKNOWN_COMMAND', `"${shown}" is not a streamctl command`, {
    hint: suggestion
      ? `Did you mean "streamctl ${suggestion}"? Run "streamctl --help" for every command.`
      : 'Run "streamctl --help" for every command.',
  })
}

export default hook
