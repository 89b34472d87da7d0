/** The part of a PeakTracker the windows need. */
export interface WindowTracker {
  reset(): void
  read(): number | null
}

interface Running {
  name: string
  peak: number | null
  shared: boolean
}

/**
 * Per-test peaks from the worker's test start and end signals. Every start or end closes a window (one read of
 * the cgroup's peak, credited to each test running in it) and opens the next (one reset): two cheap file
 * operations per boundary. Sequential tests get exactly their own peak; tests running at the same time share
 * their windows' peaks and are marked `shared`.
 */
export class TestWindows {
  private readonly running = new Map<string, Running>()
  private readonly finished = new Map<string, { name: string; peakBytes: number | null; shared: boolean }>()

  constructor(private readonly tracker: WindowTracker) {}

  start(id: string, name: string): void {
    this.boundary()
    const shared = this.running.size > 0
    if (shared) for (const test of this.running.values()) test.shared = true
    this.running.set(id, { name, peak: null, shared })
  }

  end(id: string): void {
    this.boundary()
    const test = this.running.get(id)
    if (!test) return
    this.running.delete(id)
    this.finished.set(id, { name: test.name, peakBytes: test.peak, shared: test.shared })
  }

  /** Closes the current window, e.g. when the file ends. */
  close(): void {
    this.boundary()
  }

  /**
   * The container died: the tests still running end here, credited with `lastPeak` too (the cgroup is gone, so
   * its last figure comes from the container's result: on v1 exactly the window's peak, on v2 the file's).
   */
  abort(lastPeak: number | null): void {
    this.boundary()
    for (const [id, test] of this.running) {
      const peak = lastPeak === null ? test.peak : Math.max(test.peak ?? 0, lastPeak)
      this.finished.set(id, { name: test.name, peakBytes: peak, shared: test.shared })
    }
    this.running.clear()
  }

  /** Full names of the tests running now: the ones to blame when the container dies. */
  runningTests(): string[] {
    return [...this.running.values()].map((t) => t.name)
  }

  /** Each finished test's peak, by task id. */
  peaks(): ReadonlyMap<string, { name: string; peakBytes: number | null; shared: boolean }> {
    return this.finished
  }

  private boundary(): void {
    const peak = this.tracker.read()
    if (peak !== null) for (const test of this.running.values()) test.peak = Math.max(test.peak ?? 0, peak)
    this.tracker.reset()
  }
}
