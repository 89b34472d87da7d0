// `testcell run --image` and `testcell images`, as a user runs them.
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, inject, it } from 'vitest'
import { cli, scratch, useStore } from './lib/helpers.js'

const store = useStore()
const f = inject('fixtures')
const registry = inject('registry')
const env = () => ({ TESTCELL_IMAGE_STORE: store.path })

describe('testcell run --image', () => {
  it("runs `testcell run --image docker-archive:./busybox.tar -- sh -c 'cat /etc/os-release'`", async () => {
    using project = scratch()
    copyFileSync(f.dockerLegacy, join(project.dir, 'busybox.tar'))
    const ran = await cli(['run', '--image', 'docker-archive:./busybox.tar', '--', 'sh', '-c', 'cat /etc/os-release'], { cwd: project.dir, env: env() })
    expect(ran).toMatchObject({ code: 0, stdout: 'NAME="testcell busybox"\nID=busybox\n' })
  })

  it('shows the project at its own path, copy-on-write', async () => {
    using project = scratch()
    writeFileSync(join(project.dir, 'data.txt'), 'from the host')
    const ran = await cli(['run', '--image', `oci:${f.oci}:top`, '--', 'sh', '-c', 'cat data.txt; echo changed > data.txt; pwd'], {
      cwd: project.dir,
      env: env(),
    })
    expect(ran.stdout).toBe(`from the host${project.dir}\n`)
    expect(readFileSync(join(project.dir, 'data.txt'), 'utf8')).toBe('from the host')
  })

  it('a missing file is a usage error naming the file', async () => {
    const ran = await cli(['run', '--image', 'docker-archive:./missing.tar', '--', 'true'], { cwd: '/tmp', env: env() })
    expect(ran.code).toBe(2)
    expect(ran.stderr).toMatch(/invalid --image: "docker-archive:.\/missing.tar"; expected an existing file: \/tmp\/missing.tar does not exist/)
  })

  it('an image that cannot be used exits 125 saying why', async () => {
    const ran = await cli(['run', '--image', `oci:${f.oci}:nope`, '--', 'true'], { env: env() })
    expect(ran.code).toBe(125)
    expect(ran.stderr).toMatch(/has no image named "nope"/)
  })
})

describe('testcell images', () => {
  it('pull, ls, rm, prune', async () => {
    using own = scratch()
    const env = () => ({ TESTCELL_IMAGE_STORE: own.dir })
    const reference = `${registry.plain}/testcell/busybox:top`
    const pulled = await cli(['images', 'pull', reference], { env: env() })
    expect(pulled.stdout).toMatch(new RegExp(`^${reference.replaceAll('.', '\\.')}: 2 layers, 2 extracted`))
    const again = await cli(['images', 'pull', reference], { env: env() })
    expect(again.stdout).toMatch(/2 layers, 0 extracted/)
    const listed = await cli(['images', 'ls'], { env: env() })
    expect(listed.stdout).toContain(`${reference}  linux/`)
    const removed = await cli(['images', 'rm', reference], { env: env() })
    expect(removed.stdout).toMatch(/removed .*\n2 layers removed/)
    expect((await cli(['images', 'ls'], { env: env() })).stdout).not.toContain(reference)
    expect((await cli(['images', 'prune'], { env: env() })).stdout).toMatch(/^0 layers removed/)
  })
})
