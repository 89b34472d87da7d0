import { describe, expect, it } from 'vitest'
import { runVitest, VERSIONS } from './helpers.js'

interface Timing {
  file: number
  started: number
  tested: number
}

/** When each file's worker process started and when its test ran, from the files' own output. */
function timings(output: string): Timing[] {
  return [...output.matchAll(/PROCESS file-(\d) (\{.*\})/g)]
    .map((m) => ({ file: Number(m[1]), ...(JSON.parse(m[2]!) as { started: number; tested: number }) }))
    .sort((a, b) => a.tested - b.tested)
}

describe.each(VERSIONS)('prewarmed containers on Vitest %s', (version) => {
  it('the next file’s container is started while the current file runs, and each is used by one file only', async () => {
    const run = await runVitest(version, 'prewarm')
    expect(run.code).toBe(0)
    const files = timings(run.output)
    expect(files).toHaveLength(4)
    // With one worker, files run one after another; every later file's Node was already up before the file
    // before it ran its test: it was waiting, warm.
    for (let i = 1; i < files.length; i++) expect(files[i]!.started).toBeLessThan(files[i - 1]!.tested)
  })

  it('prewarm: false starts each container when its file is asked for', async () => {
    const run = await runVitest(version, 'prewarm', [], { PREWARM: 'off' })
    expect(run.code).toBe(0)
    const files = timings(run.output)
    expect(files).toHaveLength(4)
    for (let i = 1; i < files.length; i++) expect(files[i]!.started).toBeGreaterThan(files[i - 1]!.tested)
  })
})
