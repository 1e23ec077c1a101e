// CRC-32C (Castagnoli), the checksum of RecordBatch v2, computed slicing-by-8 for speed.

const POLYNOMIAL = 0x82f63b78
const TABLES: Uint32Array[] = []

function buildTables(): void {
  const base = new Uint32Array(256)
  for (let index = 0; index < 256; index++) {
    let crc = index
    for (let bit = 0; bit < 8; bit++) crc = crc & 1 ? (crc >>> 1) ^ POLYNOMIAL : crc >>> 1
    base[index] = crc >>> 0
  }
  TABLES.push(base)
  for (let table = 1; table < 8; table++) {
    const previous = TABLES[table - 1]!
    const next = new Uint32Array(256)
    for (let index = 0; index < 256; index++) next[index] = (previous[index]! >>> 8) ^ base[previous[index]! & 0xff]!
    TABLES.push(next)
  }
}
buildTables()

const [T0, T1, T2, T3, T4, T5, T6, T7] = TABLES as [Uint32Array, Uint32Array, Uint32Array, Uint32Array, Uint32Array, Uint32Array, Uint32Array, Uint32Array]

export function crc32c(data: Uint8Array, start = 0, end = data.length): number {
  let crc = 0xffffffff
  let index = start
  const fast = end - ((end - start) % 8)
  while (index < fast) {
    crc ^= data[index]! | (data[index + 1]! << 8) | (data[index + 2]! << 16) | (data[index + 3]! << 24)
    crc =
      T7[crc & 0xff]! ^
      T6[(crc >>> 8) & 0xff]! ^
      T5[(crc >>> 16) & 0xff]! ^
      T4[crc >>> 24]! ^
      T3[data[index + 4]!]! ^
      T2[data[index + 5]!]! ^
      T1[data[index + 6]!]! ^
      T0[data[index + 7]!]!
    index += 8
  }
  while (index < end) crc = T0[(crc ^ data[index++]!) & 0xff]! ^ (crc >>> 8)
  return (crc ^ 0xffffffff) >>> 0
}
