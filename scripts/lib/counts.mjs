// Counting helpers for scripts/test.mjs: every runner's report becomes { passed, failed }.
import { readFileSync } from 'node:fs'

/** Vitest's JSON reporter file. */
export function vitestCounts(path) {
  const report = JSON.parse(readFileSync(path, 'utf8'))
  // A file that failed without a failed test (an import error, a startup failure, a failing afterAll or
  // cleanup) counts as one failure: its passed tests alone would hide it.
  const brokenFiles = report.testResults.filter((f) => f.status === 'failed' && !f.assertionResults.some((t) => t.status === 'failed')).length
  return { passed: report.numPassedTests, failed: report.numFailedTests + brokenFiles }
}

/** TAP text (`ok N` / `not ok N`). */
export function tapCounts(text) {
  return {
    passed: (text.match(/^ok \d+/gm) ?? []).length,
    failed: (text.match(/^not ok \d+/gm) ?? []).length,
  }
}

/** The VM tiers' output: `CHECK name PASS|FAIL detail` lines. */
export function checkCounts(text) {
  return {
    passed: (text.match(/^CHECK \S+ PASS/gm) ?? []).length,
    failed: (text.match(/^CHECK \S+ FAIL/gm) ?? []).length,
  }
}
