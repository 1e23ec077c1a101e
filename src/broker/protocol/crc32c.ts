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

const [T0, T1, T2, T3, T4, T5, T6, T7] = TABLES as [
  Uint32Array,
  Uint32Array,
  Uint32Array,
  Uint32Array,
  Uint32Array,
  Uint32Array,
  Uint32Array,
  Uint32Array,
]

const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1

export function crc32c(data: Uint8Array, start = 0, end = data.length): number {
  let crc = 0xffffffff
  let index = start
  // Byte by byte up to a 4-byte boundary, then eight bytes per step read as two aligned words.
  while (index < end && ((data.byteOffset + index) & 3) !== 0) crc = T0[(crc ^ data[index++]!) & 0xff]! ^ (crc >>> 8)
  const steps = LITTLE_ENDIAN ? (end - index) >>> 3 : 0
  if (steps > 0) {
    const words = new Uint32Array(data.buffer, data.byteOffset + index, steps * 2)
    for (let word = 0; word < words.length; word += 2) {
      crc ^= words[word]!
      const high = words[word + 1]!
      crc =
        T7[crc & 0xff]! ^
        T6[(crc >>> 8) & 0xff]! ^
        T5[(crc >>> 16) & 0xff]! ^
        T4[crc >>> 24]! ^
        T3[high & 0xff]! ^
        T2[(high >>> 8) & 0xff]! ^
        T1[(high >>> 16) & 0xff]! ^
        T0[high >>> 24]!
    }
    index += steps * 8
  }
  while (index < end) crc = T0[(crc ^ data[index++]!) & 0xff]! ^ (crc >>> 8)
  return (crc ^ 0xffffffff) >>> 0
}
