// `docker compose ps --format json` prints a JSON array (Compose < 2.21) or one JSON object per
// line (2.21 and later). Both parse to the same list.

export interface ComposePublisher {
  URL?: string
  TargetPort: number
  PublishedPort: number
  Protocol?: string
}

export interface ComposeContainer {
  Name: string
  Service: string
  State: string
  Health: string
  ExitCode?: number
  Status?: string
  Publishers?: ComposePublisher[] | null
}

export function parseComposePs(output: string): ComposeContainer[] {
  const text = output.trim()
  if (text === '') return []
  if (text.startsWith('[')) return JSON.parse(text) as ComposeContainer[]
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as ComposeContainer)
}

/** Running and, where a healthcheck exists, healthy. */
export function isContainerReady(container: ComposeContainer): boolean {
  return (
    container.State === 'running' &&
    (container.Health === '' || container.Health === undefined || container.Health === 'healthy')
  )
}

/** The host port a container port is published on (127.0.0.1 only, as compose.yaml binds). */
export function publishedPort(container: ComposeContainer, targetPort: number): number | undefined {
  return (container.Publishers ?? []).find(
    (publisher) => publisher.TargetPort === targetPort && publisher.PublishedPort > 0,
  )?.PublishedPort
}
