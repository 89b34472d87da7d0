import type { HostFacts } from '../host/facts.js'

/** The kinds of host a fix is written for: each gets its fix in the form its users paste it. */
export type HostKind =
  | 'not-linux'
  | 'github-container'
  | 'gitlab-container'
  | 'devcontainer'
  | 'podman'
  | 'docker'
  | 'container'
  | 'github-runner'
  | 'wsl'
  | 'linux'

export interface HostDescription {
  kind: HostKind
  /** e.g. "GitHub Actions job container (Docker)". */
  label: string
}

export function describeHost(facts: Pick<HostFacts, 'platform' | 'container' | 'ci' | 'devcontainer' | 'wsl' | 'runnerImage'>): HostDescription {
  if (facts.platform !== 'linux')
    return { kind: 'not-linux', label: facts.platform === 'darwin' ? 'macOS' : facts.platform === 'win32' ? 'Windows' : facts.platform }
  const runtime = facts.container === 'podman' ? 'Podman' : facts.container === 'docker' ? 'Docker' : 'a container runtime'
  if (facts.container) {
    if (facts.ci === 'github') return { kind: 'github-container', label: `GitHub Actions job container (${runtime})` }
    if (facts.ci === 'gitlab') return { kind: 'gitlab-container', label: `GitLab CI job container (${runtime})` }
    if (facts.devcontainer) return { kind: 'devcontainer', label: `dev container (${runtime})` }
    if (facts.container === 'podman') return { kind: 'podman', label: 'Podman container' }
    if (facts.container === 'docker') return { kind: 'docker', label: 'Docker container' }
    return { kind: 'container', label: 'container' }
  }
  if (facts.ci === 'github') return { kind: 'github-runner', label: `GitHub Actions runner${facts.runnerImage ? ` (${facts.runnerImage})` : ''}` }
  if (facts.wsl) return { kind: 'wsl', label: 'WSL2' }
  return { kind: 'linux', label: 'Linux host' }
}
