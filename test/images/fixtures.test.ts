import { existsSync } from 'node:fs'
import { expect, inject, it } from 'vitest'

it('fixtures are built', () => {
  const f = inject('fixtures')
  for (const path of [f.oci, f.dockerLegacy, f.dockerV25, f.dockerPartial, f.ociArchive, f.rootfs.gz]) expect(existsSync(path)).toBe(true)
})
