// Ports on this machine: is one free, and if not, which process listens on it.
import {readdir, readFile, readlink} from 'node:fs/promises'
import net from 'node:net'
import {StreamctlError} from '../errors.js'

/** Whether we could listen on host:port right now. */
export function isPortFree(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer()
    server.once('error', () => resolve(false))
    server.listen({port, host, exclusive: true}, () => server.close(() => resolve(true)))
  })
}

/** A port the OS picks, free at the time of the call. */
export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer()
    server.once('error', reject)
    server.listen({port: 0, host}, () => {
      const {port} = server.address() as net.AddressInfo
      server.close(() => resolve(port))
    })
  })
}

export interface PortOwner {
  pid: number
  command: string
}

/**
 * The process listening on a TCP port, read from /proc (Linux). Undefined when nothing listens,
 * when /proc is not there, or when the owner belongs to another user we cannot inspect.
 */
export async function portOwner(port: number): Promise<PortOwner | undefined> {
  const inodes = new Set<string>()
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    const text = await readFile(table, 'utf8').catch(() => '')
    for (const line of text.split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/)
      if (fields.length < 10) continue
      const localPort = Number.parseInt(fields[1]!.split(':')[1]!, 16)
      if (localPort === port && fields[3] === '0A') inodes.add(fields[9]!)
    }
  }
  if (inodes.size === 0) return undefined
  const pids = (await readdir('/proc').catch(() => [] as string[])).filter((name) => /^\d+$/.test(name))
  for (const pid of pids) {
    const fds = await readdir(`/proc/${pid}/fd`).catch(() => [] as string[])
    for (const fd of fds) {
      const target = await readlink(`/proc/${pid}/fd/${fd}`).catch(() => '')
      const inode = /^socket:\[(\d+)\]$/.exec(target)?.[1]
      if (inode && inodes.has(inode)) {
        const command = (await readFile(`/proc/${pid}/comm`, 'utf8').catch(() => '?')).trim()
        return {pid: Number(pid), command}
      }
    }
  }
  return undefined
}

/** Starts listening, turning "address in use" into an error that names the port and its owner. */
export async function listen(server: net.Server, host: string, port: number, backlog?: number): Promise<void> {
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen({port, host, ...(backlog === undefined ? {} : {backlog})}, () => {
        server.off('error', reject)
        resolve()
      })
    })
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    if (code !== 'EADDRINUSE' && code !== 'EACCES') throw error
    const owner = code === 'EADDRINUSE' ? await portOwner(port) : undefined
    throw new StreamctlError(
      'PORT_UNAVAILABLE',
      `cannot listen on ${host}:${port}: ${code === 'EACCES' ? 'permission denied' : `in use${owner ? ` by ${owner.command} (pid ${owner.pid})` : ''}`}`,
      {
        hint: 'Stop what holds the port, or choose another with --port (or the component port in stack.yaml).',
        cause: error,
      },
    )
  }
}
