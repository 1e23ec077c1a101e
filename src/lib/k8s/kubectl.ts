// kubectl as streamctl's only way to a cluster: the user's kubeconfig and context decide which
// cluster and how it authenticates, exactly as their own `kubectl` would.
import {execFile} from 'node:child_process'
import {StreamctlError} from '../errors.js'
import {findBinary} from '../host/binaries.js'

export interface Kubectl {
  /** Runs `kubectl ARGS` (with `input` on stdin); its stdout, or a K8S_REQUEST_FAILED naming the command. */
  run(args: readonly string[], input?: string): Promise<string>
}

/** kubectl from PATH, for `purpose` (what needs it, said in the error); KUBECTL_NOT_FOUND without it. */
export async function findKubectl(
  purpose: string,
  hint: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<string> {
  const binary = await findBinary('kubectl', env)
  if (!binary)
    throw new StreamctlError('KUBECTL_NOT_FOUND', `${purpose} needs kubectl, and it is not on PATH`, {
      hint: `Install kubectl 1.27 or later (https://kubernetes.io/docs/tasks/tools/), which includes kustomize. ${hint}`,
    })
  return binary
}

/** kubectl from PATH with a current context: KUBECTL_NOT_FOUND without kubectl, K8S_UNAVAILABLE without a context. */
export async function openKubectl(env: NodeJS.ProcessEnv = process.env): Promise<Kubectl> {
  const binary = await findKubectl('talking to a cluster', 'Or print the Job with --render and apply it yourself.', env)
  const run = (args: readonly string[], input?: string) => runKubectl(binary, args, env, input)
  await run(['config', 'current-context']).catch((error: unknown) => {
    throw new StreamctlError('K8S_UNAVAILABLE', 'kubectl has no current context: no cluster to use', {
      hint: 'Choose one with `kubectl config use-context NAME`, or print the Job with --render.',
      cause: error,
    })
  })
  return {run}
}

export function runKubectl(
  binary: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv,
  input?: string,
): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      binary,
      [...args],
      {env, maxBuffer: 256 * 1024 * 1024, timeout: 120_000},
      (error, stdout, stderr) => {
        if (!error) return resolve(stdout)
        const said = stderr.trim().split('\n').at(-1) || error.message
        reject(
          new StreamctlError('K8S_REQUEST_FAILED', `kubectl ${args.join(' ')} failed: ${said}`, {
            cause: error,
            details: {said},
          }),
        )
      },
    )
    child.stdin?.end(input ?? '')
  })
}
