import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Readable, Writable } from 'node:stream'
import { pathToFileURL } from 'node:url'

export const CHROMIUM = '/usr/bin/chromium'

interface Message {
  id?: number
  method?: string
  params?: Record<string, unknown>
  result?: Record<string, unknown>
  error?: { message: string }
  sessionId?: string
}

/**
 * Headless Chromium driven over the DevTools protocol on a pipe (`--remote-debugging-pipe`: commands on its
 * fd 3, answers on its fd 4, NUL-terminated JSON), with nothing but Node: no WebSocket, no network, no
 * driver library. A fresh profile directory per browser, removed on close.
 */
export class Browser implements AsyncDisposable {
  private readonly child: ChildProcess
  private readonly profile = mkdtempSync(join(tmpdir(), 'testcell-chromium-'))
  private readonly pending = new Map<number, { resolve: (m: Message) => void; reject: (e: Error) => void }>()
  private readonly listeners: ((m: Message) => void)[] = []
  private nextId = 1
  private buffered = ''
  private stderr = ''

  constructor() {
    this.child = spawn(
      CHROMIUM,
      [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--disable-dev-shm-usage',
        '--hide-scrollbars',
        `--user-data-dir=${this.profile}`,
        '--remote-debugging-pipe',
        'about:blank',
      ],
      { stdio: ['ignore', 'ignore', 'pipe', 'pipe', 'pipe'] },
    )
    this.child.stderr!.on('data', (d: Buffer) => (this.stderr = (this.stderr + d).slice(-4000)))
    const output = this.child.stdio[4] as Readable
    output.on('data', (chunk: Buffer) => this.onData(chunk))
    this.child.on('exit', () => {
      for (const { reject } of this.pending.values()) reject(new Error(`chromium exited: ${this.stderr.slice(-1000)}`))
      this.pending.clear()
    })
  }

  send(method: string, params: Record<string, unknown> = {}, sessionId?: string): Promise<Record<string, unknown>> {
    const id = this.nextId++
    const input = this.child.stdio[3] as Writable
    return new Promise((resolve, reject) => {
      this.pending.set(id, {
        resolve: (m) => (m.error ? reject(new Error(`${method}: ${m.error.message}`)) : resolve(m.result ?? {})),
        reject,
      })
      input.write(`${JSON.stringify({ id, method, params, ...(sessionId ? { sessionId } : {}) })}\0`)
    })
  }

  /** Resolves with the first event `method` (of `sessionId`) for which `accept` holds. */
  event(method: string, sessionId: string, accept: (params: Record<string, unknown>) => boolean = () => true): Promise<Record<string, unknown>> {
    return new Promise((resolve) => {
      const listener = (m: Message) => {
        if (m.method === method && m.sessionId === sessionId && accept(m.params ?? {})) {
          this.listeners.splice(this.listeners.indexOf(listener), 1)
          resolve(m.params ?? {})
        }
      }
      this.listeners.push(listener)
    })
  }

  /** Every event of `sessionId` seen from now on. */
  record(sessionId: string): Message[] {
    const seen: Message[] = []
    this.listeners.push((m) => m.sessionId === sessionId && m.method && seen.push(m))
    return seen
  }

  /** Opens `file` in a new page of the given size and waits until it has loaded. */
  async open(file: string, size = { width: 1200, height: 900 }): Promise<Page> {
    const { targetId } = (await this.send('Target.createTarget', { url: 'about:blank' })) as { targetId: string }
    const { sessionId } = (await this.send('Target.attachToTarget', { targetId, flatten: true })) as { sessionId: string }
    const seen = this.record(sessionId)
    await this.send('Page.enable', {}, sessionId)
    await this.send('Network.enable', {}, sessionId)
    await this.send('Runtime.enable', {}, sessionId)
    await this.send('Emulation.setDeviceMetricsOverride', { ...size, deviceScaleFactor: 1, mobile: false }, sessionId)
    const loaded = this.event('Page.loadEventFired', sessionId)
    await this.send('Page.navigate', { url: pathToFileURL(file).href }, sessionId)
    await loaded
    return new Page(this, sessionId, seen)
  }

  async [Symbol.asyncDispose](): Promise<void> {
    const exited = new Promise((r) => (this.child.exitCode !== null || this.child.signalCode !== null ? r(null) : this.child.once('exit', r)))
    await Promise.race([this.send('Browser.close').catch(() => {}), new Promise((r) => setTimeout(r, 3000))])
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 5000)
    await exited
    clearTimeout(timer)
    rmSync(this.profile, { recursive: true, force: true })
  }

  private onData(chunk: Buffer): void {
    this.buffered += chunk.toString('utf8')
    let end = this.buffered.indexOf('\0')
    while (end !== -1) {
      const message = JSON.parse(this.buffered.slice(0, end)) as Message
      this.buffered = this.buffered.slice(end + 1)
      end = this.buffered.indexOf('\0')
      if (message.id !== undefined) {
        this.pending.get(message.id)?.resolve(message)
        this.pending.delete(message.id)
      } else {
        for (const listener of [...this.listeners]) listener(message)
      }
    }
  }
}

export class Page {
  constructor(
    private readonly browser: Browser,
    private readonly sessionId: string,
    /** Every event since the navigation started. */
    readonly events: Message[],
  ) {}

  /** Evaluates an expression in the page; returns its value (JSON-serialisable). */
  async evaluate<T>(expression: string): Promise<T> {
    const { result, exceptionDetails } = (await this.browser.send(
      'Runtime.evaluate',
      { expression, returnByValue: true, awaitPromise: true },
      this.sessionId,
    )) as {
      result: { value: T }
      exceptionDetails?: { text: string; exception?: { description?: string } }
    }
    if (exceptionDetails) throw new Error(`in the page: ${exceptionDetails.exception?.description ?? exceptionDetails.text}`)
    return result.value
  }

  /** URLs the page requested (the document itself included). */
  requests(): string[] {
    return this.events.filter((e) => e.method === 'Network.requestWillBeSent').map((e) => (e.params!.request as { url: string }).url)
  }

  /** Console messages and uncaught exceptions. */
  problems(): string[] {
    return this.events
      .filter((e) => e.method === 'Runtime.exceptionThrown' || (e.method === 'Runtime.consoleAPICalled' && e.params!.type === 'error'))
      .map((e) => JSON.stringify(e.params).slice(0, 500))
  }

  /** A PNG of the whole page. */
  async screenshot(): Promise<Buffer> {
    const { cssContentSize } = (await this.browser.send('Page.getLayoutMetrics', {}, this.sessionId)) as { cssContentSize: { width: number; height: number } }
    const { data } = (await this.browser.send(
      'Page.captureScreenshot',
      { format: 'png', captureBeyondViewport: true, clip: { x: 0, y: 0, width: cssContentSize.width, height: cssContentSize.height, scale: 1 } },
      this.sessionId,
    )) as { data: string }
    return Buffer.from(data, 'base64')
  }
}
