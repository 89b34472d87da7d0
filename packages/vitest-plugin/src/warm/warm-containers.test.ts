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
  it('keeps one container warm per idle core, never more than maxWorkers', async () => {
    const small = setup(1, 2)
    small.warm.keepWarm(defaults)
    const big = setup(4, 2)
    big.warm.keepWarm(defaults)
    await tick()
    expect(small.started).toHaveLength(1)
    expect(big.started).toHaveLength(2)
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

  it('a file in use holds a core: fewer are kept warm, and more again when it ends', async () => {
    const { warm, started } = setup(2, 2)
    warm.keepWarm(defaults)
    await tick()
    expect(started).toHaveLength(2)
    const a = (await warm.take(defaults))!
    warm.inUse(a)
    const b = (await warm.take(defaults))!
    warm.inUse(b)
    warm.keepWarm(defaults)
    expect(warm.warmCount).toBe(0) // both cores busy
    ;(a as unknown as FakeContainer).finish()
    await tick()
    expect(warm.warmCount).toBe(1)
    warm.release(b) // its file is done; its teardown holds no core
    expect(warm.warmCount).toBe(2)
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
