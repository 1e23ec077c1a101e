// stat() for questions whose answer may be "not there": a missing or unreadable path is undefined.
import type {Stats} from 'node:fs'
import {stat} from 'node:fs/promises'

export async function statIfExists(file: string): Promise<Stats | undefined> {
  return stat(file).catch(() => undefined) // a path that is not there is an answer, not an error
}

export async function isFile(file: string): Promise<boolean> {
  return (await statIfExists(file))?.isFile() ?? false
}

export async function isDirectory(dir: string): Promise<boolean> {
  return (await statIfExists(dir))?.isDirectory() ?? false
}
