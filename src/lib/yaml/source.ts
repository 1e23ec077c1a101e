// YAML files users write (stack manifests, profiles, SLA files), kept together with their source
// positions so every problem can be reported as `file:line:col: message`.
import {readFile} from 'node:fs/promises'
import {isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node} from 'yaml'
import {StreamctlError, type ErrorCode} from '../errors.js'

export type PathSegment = string | number

export interface SourceProblem {
  file: string
  line: number
  col: number
  message: string
}

/** One error for every problem of a file, sorted by position, each as `file:line:col: message`. */
export function sourceProblemsError(
  code: ErrorCode,
  file: string,
  problems: readonly SourceProblem[],
  hint: string,
): StreamctlError {
  const sorted = [...problems].sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.col - b.col)
  const count = sorted.length === 1 ? '1 problem' : `${sorted.length} problems`
  return new StreamctlError(code, `${file} has ${count}:\n${sorted.map(formatProblem).join('\n')}`, {
    hint,
    details: {problems: sorted},
  })
}

export function formatProblem(problem: SourceProblem): string {
  return `${problem.file}:${problem.line}:${problem.col}: ${problem.message}`
}

/** `topics[0].configs.retention.ms` — how a field path reads in a message. */
export function formatPath(path: readonly PathSegment[]): string {
  let out = ''
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`
    else out += out === '' ? segment : `.${segment}`
  }
  return out
}

export class YamlSource {
  readonly problems: SourceProblem[] = []
  private readonly lineCounter = new LineCounter()
  private readonly doc: Document

  /** `file` is the name used in messages; use the path the user gave, or one relative to cwd. */
  constructor(
    readonly file: string,
    text: string,
  ) {
    this.doc = parseDocument(text, {lineCounter: this.lineCounter, prettyErrors: false, uniqueKeys: true})
    for (const error of this.doc.errors) {
      const at = this.lineCounter.linePos(error.pos[0])
      const message = error.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '')
      this.problems.push({file, line: at.line, col: at.col, message: `invalid YAML: ${message}`})
    }
  }

  static async read(file: string, displayName = file): Promise<YamlSource> {
    return new YamlSource(displayName, await readSourceFile(file, displayName))
  }

  /** The document as plain data; undefined for an empty file. */
  value(): unknown {
    return this.doc.toJS({maxAliasCount: 100})
  }

  /** Where the value (or, with `key`, the key) at `path` starts; the nearest existing parent otherwise. */
  position(path: readonly PathSegment[], options: {key?: boolean} = {}): {line: number; col: number} {
    let node: unknown = this.doc.contents
    let offset = rangeStart(node) ?? 0
    for (let index = 0; index < path.length; index++) {
      const segment = path[index]!
      const isLast = index === path.length - 1
      if (isMap(node)) {
        const pair = node.items.find(
          (item) => isPair(item) && isScalar(item.key) && String(item.key.value) === String(segment),
        )
        if (!pair) break
        if (isLast && options.key) {
          offset = rangeStart(pair.key) ?? offset
          break
        }
        node = pair.value
        offset = rangeStart(node) ?? rangeStart(pair.key) ?? offset
      } else if (isSeq(node) && typeof segment === 'number') {
        node = node.items[segment]
        if (node === undefined) break
        offset = rangeStart(node) ?? offset
      } else {
        break
      }
    }
    return this.lineCounter.linePos(offset)
  }

  problemAt(path: readonly PathSegment[], message: string, options: {key?: boolean} = {}): SourceProblem {
    const {line, col} = this.position(path, options)
    return {file: this.file, line, col, message}
  }

  report(path: readonly PathSegment[], message: string, options: {key?: boolean} = {}): void {
    this.problems.push(this.problemAt(path, message, options))
  }
}

function rangeStart(node: unknown): number | undefined {
  return (node as Node | null | undefined)?.range?.[0]
}

/** Reads a user-named file, turning "no such file" into a usage error that names it. */
export async function readSourceFile(file: string, displayName = file): Promise<string> {
  try {
    return await readFile(file, 'utf8')
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    if (code === 'ENOENT' || code === 'ENOTDIR') {
      throw new StreamctlError('FILE_NOT_FOUND', `${displayName}: no such file`, {
        hint: 'Check the path; relative paths are resolved from the current directory.',
        cause: error,
      })
    }
    if (code === 'EISDIR')
      throw new StreamctlError('FILE_NOT_FOUND', `${displayName}: is a directory, expected a file`, {cause: error})
    throw error
  }
}

/** Line and column (1-based) of a character offset in `text`, for formats other than YAML (JSON). */
export function linePosition(text: string, offset: number): {line: number; col: number} {
  let line = 1
  let lineStart = 0
  for (let index = 0; index < offset && index < text.length; index++) {
    if (text.charCodeAt(index) === 10) {
      line++
      lineStart = index + 1
    }
  }
  return {line, col: offset - lineStart + 1}
}
