// How each attempt ended, in the classes every report breaks errors down by.

export type ErrorClass = 'http4xx' | 'http429' | 'http5xx' | 'timeout' | 'connection'

export const ERROR_CLASSES: readonly ErrorClass[] = ['http4xx', 'http429', 'http5xx', 'timeout', 'connection']

export type ErrorCounts = Record<ErrorClass, number>

export function emptyErrorCounts(): ErrorCounts {
  return {http4xx: 0, http429: 0, http5xx: 0, timeout: 0, connection: 0}
}

/** The class of an HTTP status that is not a success (2xx/3xx), or undefined for a success. */
export function classifyStatus(status: number): ErrorClass | undefined {
  if (status === 429) return 'http429'
  if (status >= 500) return 'http5xx'
  if (status >= 400) return 'http4xx'
  return undefined
}

const TIMEOUT_CODES = new Set(['ETIMEDOUT', 'STREAMCTL_ATTEMPT_TIMEOUT'])

/** The class of a transport error: a timeout, or anything else that broke the connection. */
export function classifyError(error: unknown): ErrorClass {
  const code = (error as {code?: string} | undefined)?.code
  return code !== undefined && TIMEOUT_CODES.has(code) ? 'timeout' : 'connection'
}
