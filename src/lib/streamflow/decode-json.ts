// Decoding of the JSON records the read-side consumers read: a record that is not a JSON object
// becomes `undefined`, which the consumer skips and counts instead of retrying it forever.
export function decodeJson<T>(value: Buffer | string | null): T | undefined {
  if (!value) return undefined
  try {
    const parsed = JSON.parse(typeof value === 'string' ? value : value.toString('utf8')) as unknown
    return parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as T) : undefined
  } catch {
    return undefined
  }
}
