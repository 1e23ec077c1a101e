// CRC-32C (Castagnoli), the checksum of RecordBatch v2, computed slicing-by-16 in a small
// WebAssembly function assembled below: about 1.6x the same algorithm in JavaScript, even counting
// the copy of the bytes into the module's memory (the broker checks every produced byte).
//
// Memory layout: 16 tables of 256 little-endian uint32 at 0 (table k advances a byte k bytes
// further), then the data window at DATA_START. update(start, end, crc) runs the register over
// memory [start, end): 16 bytes per step as four words, then byte by byte.

const POLYNOMIAL = 0x82f63b78
const SLICES = 16
const DATA_START = SLICES * 256 * 4
const PAGES = 4
const WINDOW_BYTES = PAGES * 65536 - DATA_START

function buildTables(): Uint32Array {
  const tables = new Uint32Array(SLICES * 256)
  for (let index = 0; index < 256; index++) {
    let crc = index
    for (let bit = 0; bit < 8; bit++) crc = crc & 1 ? (crc >>> 1) ^ POLYNOMIAL : crc >>> 1
    tables[index] = crc >>> 0
  }
  for (let table = 1; table < SLICES; table++)
    for (let index = 0; index < 256; index++) {
      const previous = tables[(table - 1) * 256 + index]!
      tables[table * 256 + index] = (previous >>> 8) ^ tables[previous & 0xff]!
    }
  return tables
}

// WebAssembly opcodes used by update().
const OP = {
  block: 0x02,
  loop: 0x03,
  br: 0x0c,
  brIf: 0x0d,
  end: 0x0b,
  localGet: 0x20,
  localSet: 0x21,
  i32Load: 0x28,
  i32Load8u: 0x2d,
  i32Const: 0x41,
  i32LtU: 0x49,
  i32GeU: 0x4f,
  i32Add: 0x6a,
  i32Sub: 0x6b,
  i32And: 0x71,
  i32Xor: 0x73,
  i32Shl: 0x74,
  i32ShrU: 0x76,
} as const
const VOID = 0x40
const I32 = 0x7f

function unsignedLeb(value: number): number[] {
  const bytes: number[] = []
  do {
    let byte = value & 0x7f
    value >>>= 7
    if (value !== 0) byte |= 0x80
    bytes.push(byte)
  } while (value !== 0)
  return bytes
}

function signedLeb(value: number): number[] {
  const bytes: number[] = []
  for (;;) {
    const byte = value & 0x7f
    value >>= 7
    if ((value === 0 && (byte & 0x40) === 0) || (value === -1 && (byte & 0x40) !== 0)) return [...bytes, byte]
    bytes.push(byte | 0x80)
  }
}

// Locals: 0 start, 1 end, 2 crc (parameters), 3-6 the four words of a 16-byte step.
const [START, END, CRC] = [0, 1, 2]
const get = (local: number) => [OP.localGet, local]
const set = (local: number) => [OP.localSet, local]
const constant = (value: number) => [OP.i32Const, ...signedLeb(value)]
const load = (offset: number) => [OP.i32Load, 2, ...unsignedLeb(offset)]

/** tables[table][byte `byte` of local `word`]: the byte's table offset is (word >>> 8*byte - 2) & 0x3fc. */
function lookup(table: number, word: number, byte: number): number[] {
  const shift = byte === 0 ? [...constant(2), OP.i32Shl] : [...constant(byte * 8 - 2), OP.i32ShrU]
  return [...get(word), ...shift, ...constant(0x3fc), OP.i32And, ...load(table * 1024)]
}

function updateBody(): number[] {
  const words = [3, 4, 5, 6]
  const step = [
    ...get(CRC),
    ...get(START),
    ...load(0),
    OP.i32Xor,
    ...set(words[0]!),
    ...[1, 2, 3].flatMap((word) => [...get(START), ...load(word * 4), ...set(words[word]!)]),
    // Word w, byte b goes through table 15 - 4w - b; the sixteen lookups are XORed together.
    ...words.flatMap((local, word) =>
      [0, 1, 2, 3].flatMap((byte) => [
        ...lookup(SLICES - 1 - word * 4 - byte, local, byte),
        ...(word === 0 && byte === 0 ? [] : [OP.i32Xor]),
      ]),
    ),
    ...set(CRC),
    ...get(START),
    ...constant(16),
    OP.i32Add,
    ...set(START),
  ]
  const byteStep = [
    ...get(CRC),
    ...get(START),
    OP.i32Load8u,
    0,
    0,
    OP.i32Xor,
    ...constant(0xff),
    OP.i32And,
    ...constant(2),
    OP.i32Shl,
    ...load(0),
    ...get(CRC),
    ...constant(8),
    OP.i32ShrU,
    OP.i32Xor,
    ...set(CRC),
    ...get(START),
    ...constant(1),
    OP.i32Add,
    ...set(START),
  ]
  return [
    // while (end - start >= 16) step
    ...[OP.block, VOID, OP.loop, VOID],
    ...[...get(END), ...get(START), OP.i32Sub, ...constant(16), OP.i32LtU, OP.brIf, 1],
    ...step,
    ...[OP.br, 0, OP.end, OP.end],
    // while (start < end) byteStep
    ...[OP.block, VOID, OP.loop, VOID],
    ...[...get(START), ...get(END), OP.i32GeU, OP.brIf, 1],
    ...byteStep,
    ...[OP.br, 0, OP.end, OP.end],
    ...get(CRC),
    OP.end,
  ]
}

function assembleModule(): Uint8Array {
  const section = (id: number, content: number[]) => [id, ...unsignedLeb(content.length), ...content]
  const name = (text: string) => [text.length, ...Buffer.from(text, 'ascii')]
  const code = [1, 4, I32, ...updateBody()] // one local declaration: four i32
  return new Uint8Array([
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
    ...section(1, [1, 0x60, 3, I32, I32, I32, 1, I32]), // type: (i32, i32, i32) -> i32
    ...section(3, [1, 0]), // function 0 has type 0
    ...section(5, [1, 0, PAGES]), // one memory of PAGES pages
    ...section(7, [2, ...name('update'), 0, 0, ...name('memory'), 2, 0]),
    ...section(10, [1, ...unsignedLeb(code.length), ...code]),
  ])
}

/** The part of the WebAssembly global used here (TypeScript's ES and Node types do not declare it). */
declare const WebAssembly: {
  Module: new (bytes: Uint8Array) => object
  Instance: new (module: object) => {exports: Record<string, unknown>}
}

const instance = new WebAssembly.Instance(new WebAssembly.Module(assembleModule()))
const update = instance.exports.update as (start: number, end: number, crc: number) => number
const memory = new Uint8Array((instance.exports.memory as {buffer: ArrayBuffer}).buffer)
const memoryView = new DataView(memory.buffer)
buildTables().forEach((entry, index) => memoryView.setUint32(index * 4, entry, true))

export function crc32c(data: Uint8Array, start = 0, end = data.length): number {
  let crc = 0xffffffff
  for (let at = start; at < end; at += WINDOW_BYTES) {
    const length = Math.min(WINDOW_BYTES, end - at)
    memory.set(data.subarray(at, at + length), DATA_START)
    crc = update(DATA_START, DATA_START + length, crc)
  }
  return (crc ^ 0xffffffff) >>> 0
}
