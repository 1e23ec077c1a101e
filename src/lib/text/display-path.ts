// A path as a person reads it in a message: relative to the working directory when it is inside
// it, absolute otherwise.
import path from 'node:path'

export function displayPath(absolute: string): string {
  const relative = path.relative(process.cwd(), absolute)
  return relative !== '' && !relative.startsWith('..') && !path.isAbsolute(relative) ? relative : absolute
}
