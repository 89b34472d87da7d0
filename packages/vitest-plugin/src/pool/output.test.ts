import { PassThrough, Writable } from 'node:stream'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { OutputPipe } from './output.js'

/** A logger stream that takes its time, as a terminal or a pipe to a slow reader does. */
class Collector extends Writable {
  text = ''
  override _write(chunk: Buffer, _: string, done: () => void): void {
    setTimeout(() => {
      this.text += chunk
      done()
    }, 1)
  }
}

afterEach(() => {
  vi.restoreAllMocks()
})

describe('OutputPipe', () => {
  it('pipes a dozen workers into shared streams without a MaxListenersExceededWarning, and gives the listeners back', async () => {
    const warnings: string[] = []
    const onWarning = (w: Error) => warnings.push(w.name)
    process.on('warning', onWarning)
    const logger = { outputStream: new Collector(), errorStream: new Collector() }
    const before = logger.outputStream.getMaxListeners()
    const workers = Array.from({ length: 12 }, () => ({ stdout: new PassThrough(), stderr: new PassThrough() }))
    const pipes = workers.map((w) => new OutputPipe(w, logger))
    expect(logger.outputStream.getMaxListeners()).toBe(before + 12)
    for (const [i, w] of workers.entries()) {
      w.stdout.end(`out ${i}\n`)
      w.stderr.end(`err ${i}\n`)
    }
    await Promise.all(pipes.map((p) => p.close()))
    await new Promise((r) => setImmediate(r))
    process.off('warning', onWarning)
    expect(warnings).not.toContain('MaxListenersExceededWarning')
    expect(logger.outputStream.getMaxListeners()).toBe(before)
    expect(logger.outputStream.listenerCount('unpipe')).toBe(0)
    expect(logger.outputStream.text.split('\n').filter(Boolean)).toHaveLength(12)
  })

  it('close() resolves only once the tail of the output is written', async () => {
    const logger = { outputStream: new Collector(), errorStream: new Collector() }
    const worker = { stdout: new PassThrough(), stderr: new PassThrough() }
    const pipe = new OutputPipe(worker, logger)
    const closed = pipe.close()
    const tail = `${'x'.repeat(1 << 20)}THE END`
    setTimeout(() => {
      worker.stdout.end(tail)
      worker.stderr.end()
    }, 20)
    await closed
    expect(logger.outputStream.text.endsWith('THE END')).toBe(true)
  })

  it('never ends the shared streams', async () => {
    const logger = { outputStream: new Collector(), errorStream: new Collector() }
    const worker = { stdout: new PassThrough(), stderr: new PassThrough() }
    const pipe = new OutputPipe(worker, logger)
    worker.stdout.end()
    worker.stderr.end()
    await pipe.close()
    expect(logger.outputStream.writableEnded).toBe(false)
    expect(logger.errorStream.writableEnded).toBe(false)
  })
})
