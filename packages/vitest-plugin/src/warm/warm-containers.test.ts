import type { CgroupLimits, Container, ContainerOptions } from '@testcell/core'
import { describe, expect, it } from 'vitest'
import { WarmContainers } from './warm-containers.js'

/** What WarmContainers uses of a Container: a stand-in whose end the test decides. */
class FakeContainer {
  ended = false
  limits: CgroupLimits | null = null
  disposed = false
  canTakePids = true
  private end!: () => void
  readonly result = new Promise<void>((resolve) => {
    this.end = resolve
  })

  constructor(readonly options: ContainerOptions) {}

  setLimits(limits: CgroupLimits): void {
    if (limits.pidsLimit !== null && !this.canTakePids) throw new Error('no pids cgroup')
    this.limits = limits
  }

  finish(): void {
    this.ended = true
    this.end()
  }

  async [Symbol.asyncDispose](): Promise<void> {
    this.disposed = true
    this.finish()
  }
}

function setup(maxWorkers: number, cores: number) {
  const started: FakeContainer[] = []
  const warm = new WarmContainers({
    maxWorkers,
    cores,
    start: (options) => {
      const container = new FakeContainer(options)
      started.push(container)
      return container as unknown as Container
    },
  })
  return { warm, started }
}

const defaults: ContainerOptions = { command: ['node', 'worker.js'], memory: '256MiB', env: { A: '1' } }
const tick = () => new Promise((r) => setImmediate(r))

describe('WarmContainers', () => {
  it('keeps as many warm as the cores Vitest leaves idle, never more than maxWorkers', async () => {
    const small = setup(1, 2) // Vitest's default on 2 cores: one worker, one idle core
    small.warm.keepWarm(defaults)
    const wide = setup(2, 8)
    wide.warm.keepWarm(defaults)
    const full = setup(2, 2) // as many workers as cores: warming would only compete with the files running
    full.warm.keepWarm(defaults)
    await tick()
    expect(small.started).toHaveLength(1)
    expect(wide.started).toHaveLength(2)
    expect(full.started).toHaveLength(0)
  })

  it('hands a warm container to a file with the same options, with the file’s limits', async () => {
    const { warm, started } = setup(1, 2)
    warm.keepWarm(defaults)
    const taken = (await warm.take({ ...defaults, memory: '64MiB', pidsLimit: undefined })) as unknown as FakeContainer
    expect(taken).toBe(started[0])
    expect(taken.limits).toEqual({ memoryBytes: 64 * 1024 * 1024, pidsLimit: null })
    expect(await warm.take(defaults)).toBeNull() // used once
  })

  it('never hands a container to a file whose fixed options differ (environment, mounts, command, hostname, image)', async () => {
    const { warm } = setup(1, 2)
    warm.keepWarm(defaults)
    await tick()
    expect(await warm.take({ ...defaults, env: { A: '2' } })).toBeNull()
    expect(await warm.take({ ...defaults, volumes: ['/data:/data'] })).toBeNull()
    expect(await warm.take({ ...defaults, hostname: 'other' })).toBeNull()
    expect(await warm.take({ ...defaults, image: 'rootfs:/x.tar' })).toBeNull()
    expect(await warm.take({ ...defaults, pidsLimit: 64 })).toBeNull() // on cgroup v1 a pids cgroup exists only if asked for
    expect(await warm.take(defaults)).not.toBeNull()
  })

  it('skips a warm container that ended while it waited', async () => {
    const { warm, started } = setup(1, 2)
    warm.keepWarm(defaults)
    await tick()
    started[0]!.finish()
    expect(await warm.take(defaults)).toBeNull()
  })

  it('starts the next warm container when a file takes one', async () => {
    const { warm, started } = setup(1, 2)
    warm.keepWarm(defaults)
    await tick()
    const a = (await warm.take(defaults))!
    warm.inUse(a)
    warm.keepWarm(defaults)
    await tick()
    expect(started).toHaveLength(2)
    expect(warm.warmCount).toBe(1)
    warm.release(a)
    expect(warm.warmCount).toBe(1) // still one idle core's worth
  })

  it('ends the containers no file took at the end of a run, and warms again on the next', async () => {
    const { warm, started } = setup(1, 2)
    warm.keepWarm(defaults)
    await tick()
    await warm.drain()
    expect(started[0]!.disposed).toBe(true)
    expect(warm.warmCount).toBe(0)
    warm.keepWarm(defaults)
    expect(warm.warmCount).toBe(1)
    await warm.close()
    warm.keepWarm(defaults)
    expect(warm.warmCount).toBe(0)
  })
})
