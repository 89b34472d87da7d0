import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { busyboxLayer } from '../images/lib/busybox.js'
import { writeImage } from '../images/lib/oci.js'
import { tar } from '../images/lib/tar-writer.js'
import { runVitest, VERSIONS } from './helpers.js'

const dir = mkdtempSync(join(tmpdir(), 'testcell-e2e-image-'))
const image = join(dir, 'busybox')
writeImage(image, [tar(busyboxLayer())])
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe.each(VERSIONS)('Vitest %s with the plugin option image', (version) => {
  it('runs files on the image; a bad image fails only its own file, saying why', async () => {
    const run = await runVitest(version, 'images', [], { TESTCELL_E2E_IMAGE: `oci:${image}`, TESTCELL_IMAGE_STORE: join(dir, `store-${version}`) })
    expect(run.status('tests/in-image.test.ts'), run.output).toBe('passed')
    // Files whose image cannot be used fail at start, as any container start failure does, naming why.
    expect(run.code).toBe(1)
    expect(run.output).toMatch(/bad-image\.test\.ts[\s\S]*not-an-image: cannot read .*index\.json/)
    expect(run.output).toMatch(
      /missing-image\.test\.ts[\s\S]*invalid image: \\?"docker-archive:.\/missing.tar\\?"; expected an existing file: .*missing.tar does not exist/,
    )
  })
})
