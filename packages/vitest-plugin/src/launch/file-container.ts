import { mkdirSync, realpathSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { type ContainerOptions, checkMemory, parseImageReference, toVolume, type Volume } from '@testcell/core'
import type { FileOptions } from '../options.js'
import { WORKER_MARK } from '../side-channel.js'
import { visiblePaths } from './visible-paths.js'

/** What decides the container of one test file, from Vitest's pool options and the file's options. */
export interface FileContainerInput {
  options: FileOptions
  /** The root of the project the file belongs to: relative volume sources resolve against it. */
  root: string
  /** Vitest's `dist` directory (`PoolOptions.distPath`). */
  distPath: string
  execArgv: readonly string[]
  env: Partial<NodeJS.ProcessEnv>
  coverage?: { enabled?: boolean; reportsDirectory?: string } | undefined
}

/**
 * The container of one test file: Vitest's own forks worker (`<dist>/workers/forks.js`, what its forks pool
 * runs) started by this Node inside the container, with the file's limits, volumes and environment.
 */
export function fileContainerOptions(input: FileContainerInput): ContainerOptions {
  const { options, root } = input
  return {
    command: [realpathSync(process.execPath), ...input.execArgv, join(input.distPath, 'workers/forks.js')],
    baseEnv: { ...input.env, [WORKER_MARK]: '1' } as NodeJS.ProcessEnv,
    env: options.env ?? {},
    memory: options.memory,
    pidsLimit: options.pidsLimit,
    network: options.network ?? 'loopback',
    hostname: options.hostname,
    volumes: [...(options.volumes ?? []).map((v) => toVolume('volumes', v, root)), ...coverageVolumes(input)],
    workdir: root,
    // In an image the worker's Node is the image's or the host's injected at /.tc: the host's is not shown.
    visiblePaths: visiblePaths(root, input.distPath, { runtime: options.image === undefined }),
    stdio: 'pipe',
    ipc: 'advanced',
    ...(options.seccomp !== undefined ? { seccomp: options.seccomp } : {}),
    ...(options.image === undefined ? {} : { image: parseImageReference(options.image, root).text }),
  }
}

/** The memory budget of a file, in bytes (null without one). */
export function memoryLimitOf(options: FileOptions): number | null {
  return options.memory === undefined ? null : checkMemory(options.memory)
}

/** Vitest 5 workers write coverage files into the reports directory themselves: it must be the host's. */
function coverageVolumes({ coverage, root }: FileContainerInput): Volume[] {
  if (!coverage?.enabled || !coverage.reportsDirectory) return []
  const dir = resolve(root, coverage.reportsDirectory)
  mkdirSync(dir, { recursive: true })
  return [{ source: dir, target: dir, readonly: false }]
}
