// The TCP addresses a process (and its children) listens on, read from /proc: which sockets the
// processes hold (/proc/<pid>/fd → socket:[inode]) joined with the kernel's socket tables.
import {readdir, readFile, readlink} from 'node:fs/promises'
import net from 'node:net'
import {descendants} from '../../src/lib/host/processes.js'

export interface ListeningSocket {
  address: string
  port: number
}

export async function listeningSockets(pid: number): Promise<ListeningSocket[]> {
  const inodes = new Set<string>()
  for (const process of [pid, ...(await descendants(pid))]) {
    const fds = await readdir(`/proc/${process}/fd`).catch(() => [] as string[])
    for (const fd of fds) {
      const target = await readlink(`/proc/${process}/fd/${fd}`).catch(() => '')
      const match = /^socket:\[(\d+)\]$/.exec(target)
      if (match) inodes.add(match[1]!)
    }
  }
  const sockets: ListeningSocket[] = []
  for (const table of ['tcp', 'tcp6']) {
    const lines = (await readFile(`/proc/net/${table}`, 'utf8')).trim().split('\n').slice(1)
    for (const line of lines) {
      const fields = line.trim().split(/\s+/)
      // fields: sl local_address rem_address st ... inode (index 9); st 0A is LISTEN.
      if (fields[3] !== '0A' || !inodes.has(fields[9]!)) continue
      const [hexAddress, hexPort] = fields[1]!.split(':') as [string, string]
      sockets.push({address: decodeAddress(hexAddress), port: Number.parseInt(hexPort, 16)})
    }
  }
  return sockets
}

/** /proc/net/tcp addresses are little-endian hex words: 0100007F is 127.0.0.1. */
function decodeAddress(hex: string): string {
  if (hex.length === 8) return [6, 4, 2, 0].map((index) => Number.parseInt(hex.slice(index, index + 2), 16)).join('.')
  if (hex === '00000000000000000000000000000000') return '::'
  if (hex === '0000000000000000FFFF00000100007F') return '127.0.0.1'
  if (hex === '00000000000000000000000001000000') return '::1'
  return hex
}

/** A TCP proxy to 127.0.0.1:`target` on `port`, which a test opens and cuts to make a server come and go. */
export interface TcpProxy {
  /** Starts accepting on the port and forwarding to the target. */
  open(): Promise<void>
  /** Stops accepting and cuts every connection it carries: the target looks gone. */
  cut(): Promise<void>
}

export function tcpProxy(port: number, target: number): TcpProxy {
  const sockets = new Set<net.Socket>()
  const server = net.createServer((client) => {
    const upstream = net.connect(target, '127.0.0.1')
    for (const socket of [client, upstream]) {
      sockets.add(socket)
      socket.on('error', () => {}) // a reset is what the proxy's tests provoke; 'close' cleans up
      socket.on('close', () => sockets.delete(socket))
    }
    client.pipe(upstream).pipe(client)
  })
  return {
    open: () =>
      new Promise<void>((resolve, reject) => server.once('error', reject).listen(port, '127.0.0.1', () => resolve())),
    cut: async () => {
      const closed = server.listening
        ? new Promise<void>((resolve) => server.close(() => resolve()))
        : Promise.resolve()
      for (const socket of sockets) socket.destroy()
      await closed
    },
  }
}
