const MiB = 1024 * 1024
const GiB = 1024 * MiB

/** Steps a budget is rounded up to: about 1/16 of its order of magnitude, so budgets read like 96MiB or 1.25GiB. */
const STEPS: [below: number, step: number][] = [
  [256 * MiB, 16 * MiB],
  [1 * GiB, 64 * MiB],
  [4 * GiB, 256 * MiB],
  [Number.POSITIVE_INFINITY, 1 * GiB],
]

/** The smallest readable size at or above `bytes` (16 MiB steps below 256 MiB, 64 MiB below 1 GiB, …). */
export function roundUpReadable(bytes: number): number {
  const [, step] = STEPS.find(([below]) => bytes < below)!
  return Math.max(step, Math.ceil(bytes / step) * step)
}

/** How a budget is written in a docblock or a config: `96MiB`, `1GiB`, `1.25GiB`. */
export function formatBudget(bytes: number): string {
  if (bytes >= GiB && bytes % (GiB / 4) === 0) return `${bytes / GiB}GiB`
  if (bytes % MiB === 0) return `${bytes / MiB}MiB`
  return String(bytes)
}
