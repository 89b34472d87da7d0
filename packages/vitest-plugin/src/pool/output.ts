import type { Readable, Writable } from 'node:stream'

export interface OutputStreams {
  outputStream: Writable
  errorStream: Writable
}

/**
 * A worker's stdout and stderr piped into Vitest's shared logger streams, as Vitest's forks worker does:
 * `end: false` (one worker ending must not end the streams of all), one more allowed listener per pipe
 * (no MaxListenersExceededWarning with many containers at once), and `close()` waits until the worker's
 * streams ended, so the tail of its output is written before anything reports its exit.
 */
export class OutputPipe {
  private readonly pipes: [Readable, Writable][] = []
  private closing: Promise<void> | undefined

  constructor(sources: { stdout: Readable | null; stderr: Readable | null }, logger: OutputStreams) {
    for (const [from, to] of [
      [sources.stdout, logger.outputStream],
      [sources.stderr, logger.errorStream],
    ] as const) {
      if (!from) continue
      to.setMaxListeners(to.getMaxListeners() + 1)
      from.pipe(to, { end: false })
      this.pipes.push([from, to])
    }
  }

  /**
   * Waits for the sources to end and the logger streams to have written what they got from them (the
   * worker's output is all out), then unpipes; idempotent.
   */
  close(): Promise<void> {
    this.closing ??= (async () => {
      await Promise.all(this.pipes.map(([from]) => ended(from)))
      await Promise.all(this.pipes.map(([, to]) => written(to)))
      for (const [from, to] of this.pipes) {
        from.unpipe(to)
        to.setMaxListeners(Math.max(0, to.getMaxListeners() - 1))
      }
    })()
    return this.closing
  }
}

/** Resolves once `stream` has written everything it was given so far (writes are handled in order). */
function written(stream: Writable): Promise<void> {
  if (stream.writableEnded || stream.destroyed) return Promise.resolve()
  return new Promise((resolve) => stream.write('', () => resolve()))
}

function ended(stream: Readable): Promise<void> {
  if (stream.readableEnded || stream.destroyed) return Promise.resolve()
  return new Promise((resolve) => {
    stream.once('end', resolve)
    stream.once('close', resolve)
  })
}
