// An in-memory terminal for driving the built live view from a child process: a writable stream
// with the columns, rows and isTTY ink reads, and what was drawn on it with the ANSI codes stripped.
import {Writable} from 'node:stream'

export function terminalStream(columns, rows) {
  let output = ''
  const stdout = Object.assign(
    new Writable({
      write(chunk, _encoding, done) {
        output += String(chunk)
        done()
      },
    }),
    {columns, rows, isTTY: true},
  )
  return {
    stdout,
    /** Characters written so far: where a later `text(from)` starts. */
    get length() {
      return output.length
    },
    // eslint-disable-next-line no-control-regex -- strips ANSI escape sequences, which start with ESC
    text: (from = 0) => output.slice(from).replace(/\u001B\[[0-9;?]*[a-zA-Z]/g, ''),
  }
}
