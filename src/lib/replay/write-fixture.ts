// Writes a generated recording to a file, streaming it so a million events do not sit in one string.
import {createWriteStream} from 'node:fs'
import {once} from 'node:events'
import {StreamctlError} from '../errors.js'
import {generateDay, type FixtureOptions} from './fixture-generator.js'

export async function writeFixture(
  file: string,
  options: FixtureOptions,
): Promise<{file: string; events: number; firstEventAt?: string; lastEventAt?: string; bytes: number}> {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(options.day) || Number.isNaN(Date.parse(options.day)))
    throw new StreamctlError('INVALID_FLAG', `--day ${options.day}: expected YYYY-MM-DD`)
  const events = generateDay(options)
  const out = createWriteStream(file)
  const failed = once(out, 'error').then(([error]) => {
    throw new StreamctlError('COMMAND_FAILED', `cannot write ${file}: ${(error as Error).message}`, {cause: error})
  })
  let bytes = 0
  for (const event of events) {
    const line = `${JSON.stringify(event)}\n`
    bytes += Buffer.byteLength(line)
    if (!out.write(line)) await Promise.race([once(out, 'drain'), failed])
  }
  out.end()
  await Promise.race([once(out, 'finish'), failed])
  return {
    file,
    events: events.length,
    ...(events.length > 0 ? {firstEventAt: events[0]!.ts, lastEventAt: events.at(-1)!.ts} : {}),
    bytes,
  }
}
