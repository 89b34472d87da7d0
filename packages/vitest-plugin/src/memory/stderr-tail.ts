/** The last `limit` bytes written to a stream (the worker's stderr), to find why it died. */
export class StderrTail {
  private chunks: Buffer[] = []
  private size = 0

  constructor(private readonly limit = 8192) {}

  push(chunk: Buffer | string): void {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : chunk
    this.chunks.push(buffer)
    this.size += buffer.length
    while (this.chunks.length > 1 && this.size - this.chunks[0]!.length >= this.limit) this.size -= this.chunks.shift()!.length
  }

  text(): string {
    const all = Buffer.concat(this.chunks)
    return all.subarray(Math.max(0, all.length - this.limit)).toString('utf8')
  }
}
