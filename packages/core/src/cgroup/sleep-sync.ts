const cell = new Int32Array(new SharedArrayBuffer(4))

/** Blocks this thread for `ms` (parent cgroups are set up synchronously, once per process). */
export function sleepSync(ms: number): void {
  Atomics.wait(cell, 0, 0, ms)
}
