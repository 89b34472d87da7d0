import type { Manifest } from './manifest.js'
import type { Step } from './plan.js'
import { PATHS } from './texts.js'

/** The steps that take back exactly what the manifest records, newest first. */
export function planUndo(manifest: Manifest | null): Step[] {
  if (!manifest) return []
  const steps: Step[] = []
  const restarted = new Set<number>()
  let reload = false
  for (const change of [...manifest.changes].reverse()) {
    switch (change.kind) {
      case 'dir':
        steps.push({ kind: 'rmdir', path: change.path })
        break
      case 'file':
        steps.push({ kind: 'remove-file', path: change.path, sha256: change.sha256 })
        if (change.path === PATHS.dropIn) reload = true
        break
      case 'apparmor-profile':
        steps.push({ kind: 'unload-profile', file: change.file, name: change.name })
        break
      case 'linger':
        steps.push({ kind: 'disable-linger', user: change.user })
        break
      case 'sysctl':
        steps.push({ kind: 'set-sysctl', name: change.name, value: change.previous, previous: '' })
        break
      case 'user-manager-restarted':
        restarted.add(change.uid)
        break
    }
  }
  if (reload) {
    steps.push({ kind: 'daemon-reload' })
    // try-restart: a manager that stopped because linger went off above stays stopped.
    for (const uid of restarted) steps.push({ kind: 'restart-user-manager', uid })
  }
  return steps
}
