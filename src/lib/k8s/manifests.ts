// `deploy render`: the stack's kustomize base (or an overlay) built by `kubectl kustomize`, with the
// stack manifest as a ConfigMap and the image the user names, then fitted to the manifest and
// checked object by object. kustomize reads only files under a kustomization's root, so the build
// runs in a temporary copy of k8s/ holding the stack's stack.yaml.
import {cp, mkdtemp, readdir, readFile, rm, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {parseAllDocuments, stringify} from 'yaml'
import {StreamctlError} from '../errors.js'
import {isFile} from '../host/file-stat.js'
import type {Stack} from '../stack/load-stack.js'
import {displayPath} from '../text/display-path.js'
import {findKubectl, runKubectl} from './kubectl.js'
import {fitScalersToManifest} from './scalers.js'
import {validateObjects, type K8sObject} from './validate.js'

export const K8S_DIR = 'k8s'
const MANIFEST_COMPONENT = 'components/stack-manifest'
/** The image name the base's containers use, which --image replaces. */
export const BASE_IMAGE = 'streamctl'

export interface RenderOptions {
  overlay?: string
  /** An image reference: `registry/name:tag` or `registry/name@sha256:…`. */
  image?: string
  env?: NodeJS.ProcessEnv
}

export interface RenderedManifests {
  /** The kustomization built: `k8s/base` or `k8s/overlays/<name>`. */
  source: string
  objects: K8sObject[]
}

/** The overlays of a stack's k8s/ directory: the folders of overlays/ holding a kustomization. */
export async function listOverlays(stackDir: string): Promise<string[]> {
  const dir = path.join(stackDir, K8S_DIR, 'overlays')
  const names = await readdir(dir).catch(() => [] as string[]) // no overlays/ folder: the base only
  const overlays: string[] = []
  for (const name of names.sort()) if (await isFile(path.join(dir, name, 'kustomization.yaml'))) overlays.push(name)
  return overlays
}

export async function renderManifests(stack: Stack, options: RenderOptions = {}): Promise<RenderedManifests> {
  const k8sDir = path.join(stack.dir, K8S_DIR)
  if (!(await isFile(path.join(k8sDir, 'base', 'kustomization.yaml'))))
    throw new StreamctlError(
      'FILE_NOT_FOUND',
      `no Kubernetes base in ${displayPath(k8sDir)} (base/kustomization.yaml)`,
      {
        hint: 'Copy stacks/reference/k8s next to your stack.yaml as a starting point.',
      },
    )
  const source = options.overlay ? `${K8S_DIR}/overlays/${options.overlay}` : `${K8S_DIR}/base`
  if (options.overlay) {
    const overlays = await listOverlays(stack.dir)
    if (!overlays.includes(options.overlay))
      throw new StreamctlError(
        'INVALID_FLAG',
        `--overlay ${options.overlay}: no such overlay in ${displayPath(k8sDir)}`,
        {
          hint: overlays.length > 0 ? `Overlays: ${overlays.join(', ')}.` : 'This stack has no overlays/ folder.',
        },
      )
  }
  const image = options.image === undefined ? undefined : parseImageRef(options.image)
  const kubectl = await findKubectl('deploy render (`kubectl kustomize`)', '', options.env)
  const work = await mkdtemp(path.join(tmpdir(), 'streamctl-render-'))
  try {
    await cp(k8sDir, path.join(work, K8S_DIR), {recursive: true})
    await writeFile(path.join(work, K8S_DIR, MANIFEST_COMPONENT, 'stack.yaml'), await readFile(stack.file))
    const kustomization = {
      apiVersion: 'kustomize.config.k8s.io/v1beta1',
      kind: 'Kustomization',
      resources: [source],
      components: [`${K8S_DIR}/${MANIFEST_COMPONENT}`],
      ...(image ? {images: [{name: BASE_IMAGE, ...image}]} : {}),
    }
    await writeFile(path.join(work, 'kustomization.yaml'), stringify(kustomization))
    const built = await runKubectl(kubectl, ['kustomize', work], options.env ?? process.env).catch((error: unknown) => {
      const said = (error as StreamctlError).details as {said?: string} | undefined
      throw new StreamctlError(
        'K8S_RENDER_FAILED',
        `kubectl kustomize ${source} failed: ${said?.said ?? String(error)}`,
        {
          hint: `Check the kustomization files under ${displayPath(k8sDir)}.`,
          cause: error,
        },
      )
    })
    const objects = fitScalersToManifest(parseObjects(built), stack.manifest, displayPath(stack.file))
    await validateObjects(objects)
    return {source, objects}
  } finally {
    await rm(work, {recursive: true, force: true})
  }
}

/** The objects of a multi-document YAML stream, empty documents left out. */
export function parseObjects(text: string): K8sObject[] {
  return parseAllDocuments(text)
    .map((document) => {
      if (document.errors.length > 0)
        throw new StreamctlError('K8S_RENDER_FAILED', `kustomize printed invalid YAML: ${document.errors[0]!.message}`)
      return document.toJS() as K8sObject | null
    })
    .filter((object): object is K8sObject => object !== null)
}

/** The objects as one YAML stream, as `kubectl apply -f -` reads it. */
export function toYamlStream(objects: K8sObject[]): string {
  return objects.map((object) => stringify(object, {lineWidth: 0})).join('---\n')
}

/** `ghcr.io/acme/streamctl:1.4` → kustomize's images entry (newName, newTag or digest). */
export function parseImageRef(ref: string): {newName: string; newTag?: string; digest?: string} {
  const match = /^([a-z0-9]+(?:[._/:-][a-z0-9]+)*?)(?::([\w][\w.-]{0,127}))?(?:@(sha256:[a-f0-9]{64}))?$/.exec(ref)
  if (!match || match[1]!.endsWith(':'))
    throw new StreamctlError(
      'INVALID_FLAG',
      `--image ${ref}: expected an image reference like registry/name:tag or name@sha256:<digest>`,
    )
  const [, newName, newTag, digest] = match
  return {newName: newName!, ...(newTag ? {newTag} : {}), ...(digest ? {digest} : {})}
}
