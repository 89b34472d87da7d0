import type { WorkerRequest } from 'vitest/node'

/** The answer Vitest's pool runner waits for after each request (the public WorkerRequest/WorkerResponse types). */
export type Answer = 'started' | 'testfileFinished' | 'stopped'

const ANSWER_TO: Partial<Record<string, Answer>> = { start: 'started', run: 'testfileFinished', collect: 'testfileFinished', stop: 'stopped' }

/** What Vitest asked the worker and still waits for, and which test files it runs. */
export class RequestLedger {
  /** The answer Vitest waits for now, if any. */
  awaiting: Answer | null = null
  /** The last answer the worker gave. */
  lastAnswer: Answer | null = null
  /** Test files of the last run or collect request. */
  files: string[] = []
  stopRequested = false

  sent(message: WorkerRequest): void {
    const request = message as { __vitest_worker_request__?: boolean; type?: string; context?: { files?: unknown[] } }
    if (!request?.__vitest_worker_request__ || !request.type) return
    const answer = ANSWER_TO[request.type]
    if (!answer) return
    this.awaiting = answer
    if (request.type === 'stop') this.stopRequested = true
    if (answer === 'testfileFinished') {
      this.files = (request.context?.files ?? []).map((f) => (typeof f === 'string' ? f : (f as { filepath: string }).filepath))
    }
  }

  /** Notes an answer from the worker; returns it when it is one. */
  received(message: unknown): Answer | null {
    const response = message as { __vitest_worker_response__?: boolean; type?: string } | null
    if (!response?.__vitest_worker_response__) return null
    const answer = response.type as Answer
    if (answer === this.awaiting) this.awaiting = null
    this.lastAnswer = answer
    return answer
  }
}
