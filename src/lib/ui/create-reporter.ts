import {LineReporter} from './line-reporter.js'
import type {OutputMode} from './output-mode.js'
import type {ProgressReporter} from './reporter.js'

/**
 * The reporter for an output mode. `live` loads ink and React on demand; `json` keeps stdout for
 * the result and sends plain progress lines to stderr.
 */
export async function createReporter(mode: OutputMode): Promise<ProgressReporter> {
  switch (mode) {
    case 'live': {
      const {LiveReporter} = await import('./live-reporter.js')
      return new LiveReporter()
    }
    case 'lines':
      return new LineReporter({write: (line) => process.stdout.write(line)})
    case 'json':
      return new LineReporter({write: (line) => process.stderr.write(line)})
  }
}
