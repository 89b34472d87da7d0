// Snapshot environment of container workers: writes land in the container's copy-on-write root (so the rest
// of the file sees them) and are forwarded to the host, one named method per kind of write; the pool decides
// whether each may reach the host.
import { VitestSnapshotEnvironment } from 'vitest/runtime'
import { type SnapshotMethod, type SnapshotRequest, WORKER_MARK } from './side-channel.js'

function forward(method: SnapshotMethod, path: string, content?: string): void {
  // Only a container's worker has a copy-on-write root to forward from; forks write to the host directly.
  if (process.env[WORKER_MARK] !== '1') return
  process.send?.({ __testcell__: 'snapshot', method, path, ...(content === undefined ? {} : { content }) } satisfies SnapshotRequest)
}

class ContainerSnapshotEnvironment extends VitestSnapshotEnvironment {
  private readonly snapshotFiles = new Set<string>()
  private readonly fileSnapshots = new Set<string>()

  override async resolvePath(filepath: string): Promise<string> {
    const path = await super.resolvePath(filepath)
    this.snapshotFiles.add(path)
    return path
  }

  override async resolveRawPath(testPath: string, rawPath: string): Promise<string> {
    const path = await super.resolveRawPath(testPath, rawPath)
    this.fileSnapshots.add(path)
    return path
  }

  override async saveSnapshotFile(path: string, content: string): Promise<void> {
    await super.saveSnapshotFile(path, content)
    // Vitest saves three kinds of files through this one method: tell the host which one this is.
    const method = this.snapshotFiles.has(path) ? 'saveSnapshotFile' : this.fileSnapshots.has(path) ? 'saveFileSnapshot' : 'saveTestFile'
    forward(method, path, content)
  }

  override async removeSnapshotFile(path: string): Promise<void> {
    await super.removeSnapshotFile(path)
    forward('removeSnapshotFile', path)
  }
}

export default new ContainerSnapshotEnvironment()
