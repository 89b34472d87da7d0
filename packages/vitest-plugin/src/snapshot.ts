// Snapshot environment used in container workers: writes land in the container's copy-on-write root (so the
// rest of the file sees them) and are forwarded to the host, where the pool decides whether to accept them.
import { VitestSnapshotEnvironment } from 'vitest/runtime'
import { type ForwardedWrite, WORKER_MARK } from './side-channel.js'

function forward(message: Omit<ForwardedWrite, '__testcell__'>): void {
  // Only a container's worker has a copy-on-write root to forward from; forks write to the host directly.
  if (process.env[WORKER_MARK] === '1') process.send?.({ __testcell__: 'write', ...message } satisfies ForwardedWrite)
}

class ContainerSnapshotEnvironment extends VitestSnapshotEnvironment {
  override async saveSnapshotFile(path: string, content: string): Promise<void> {
    await super.saveSnapshotFile(path, content)
    forward({ op: 'write', path, content })
  }

  override async removeSnapshotFile(path: string): Promise<void> {
    await super.removeSnapshotFile(path)
    forward({ op: 'remove', path })
  }
}

export default new ContainerSnapshotEnvironment()
