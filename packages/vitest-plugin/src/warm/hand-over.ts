import type { CgroupLimits, ContainerOptions } from '@testcell/core'
import { checkMemory } from '@testcell/core'

/**
 * What a warm container and the file that takes it must agree on: everything that is fixed once a container has
 * started (command, environment, mounts, network, hostname). Only the memory and pids limits can be set when a
 * file takes a container; whether a pids limit is wanted stays part of it (on cgroup v1 the pids cgroup exists
 * only for a container that asked for one).
 */
export function handOverKey(options: ContainerOptions): string {
  const { memory: _memory, pidsLimit, ...fixed } = options
  return JSON.stringify({ ...fixed, pids: pidsLimit !== undefined })
}

/** The limits a file's container is given when the file takes it. */
export function limitsOf(options: ContainerOptions): CgroupLimits {
  return { memoryBytes: options.memory === undefined ? null : checkMemory(options.memory), pidsLimit: options.pidsLimit ?? null }
}
