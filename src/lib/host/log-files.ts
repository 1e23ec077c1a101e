// Reading and following the log files of processes we started (`streamctl logs`, and the tail
// shown when a component fails to start).
import {open} from 'node:fs/promises'
import {statIfExists} from './file-stat.js'

/** The last `lines` lines of a file ('' if it does not exist). Reads at most the last 256 KiB. */
export async function tailFile(file: string, lines: number): Promise<string> {
  const handle = await open(file, 'r').catch(() => undefined) // no log file (yet): nothing to show
  if (!handle) return ''
  try {
    const {size} = await handle.stat()
    const length = Math.min(size, 256 * 1024)
    const buffer = Buffer.alloc(length)
    await handle.read(buffer, 0, length, size - length)
    const text = buffer.toString('utf8')
    const all = text.split('\n')
    if (all.at(-1) === '') all.pop()
    return all.slice(-lines).join('\n')
  } finally {
    await handle.close()
  }
}

/**
 * Calls `onData` with what is appended to each file until `signal` aborts, like `tail -F`: a file
 * that is truncated or replaced is read again from its start.
 */
export async function followFiles(
  files: string[],
  onData: (file: string, text: string) => void,
  signal: AbortSignal,
  intervalMs = 250,
): Promise<void> {
  const offsets = new Map<string, number>()
  for (const file of files) offsets.set(file, (await statIfExists(file))?.size ?? 0)
  while (!signal.aborted) {
    for (const file of files) {
      const size = (await statIfExists(file))?.size
      if (size === undefined) continue
      let offset = offsets.get(file) ?? 0
      if (size < offset) offset = 0
      if (size > offset) {
        const handle = await open(file, 'r')
        try {
          const buffer = Buffer.alloc(size - offset)
          await handle.read(buffer, 0, buffer.length, offset)
          onData(file, buffer.toString('utf8'))
        } finally {
          await handle.close()
        }
        offsets.set(file, size)
      }
    }
    await new Promise((resolve) => {
      const timer = setTimeout(resolve, intervalMs)
      signal.addEventListener(
        'abort',
        () => {
          clearTimeout(timer)
          resolve(undefined)
        },
        {once: true},
      )
    })
  }
}
