// Flag values of `streamctl replay` as users type them: the target and the source.
import {StreamctlError} from '../errors.js'

export type TargetChoice = {kind: 'projector'} | {kind: 'gateway'} | {kind: 'topic'; topic: string}

export function parseTarget(text: string): TargetChoice {
  const value = text.trim()
  if (value === 'projector' || value === 'gateway') return {kind: value}
  const match = /^topic:([A-Za-z0-9._-]{1,249})$/.exec(value)
  if (match) return {kind: 'topic', topic: match[1]!}
  throw new StreamctlError('INVALID_FLAG', `--target ${text}: expected projector, gateway or topic:<name>`)
}

/** `topic` (the stack's Kafka), or the path of an .ndjson recording. */
export function parseSource(text: string): {kind: 'topic'} | {kind: 'file'; file: string} {
  const value = text.trim()
  if (value === 'topic' || value === 'kafka') return {kind: 'topic'}
  if (value === '')
    throw new StreamctlError('INVALID_FLAG', '--source: expected topic or the path of an .ndjson recording')
  return {kind: 'file', file: value}
}
