import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { isRoot, sh, tempProject } from './helpers.js'

const marker = `testcell-probe-${process.pid}-${Date.now()}`

describe('copy-on-write root', () => {
  it.runIf(isRoot)('as root, writes to /etc, /usr and the project succeed inside and are gone afterwards', async () => {
    const repo = process.cwd()
    const files = [`/etc/${marker}`, `/usr/${marker}`, join(repo, marker)]
    const { result, stdout } = await sh(`for f in ${files.join(' ')}; do echo x > $f || exit 1; done; cat ${files.join(' ')} | wc -l`)
    expect(result.exitCode).toBe(0)
    expect(stdout.trim()).toBe('3')
    for (const file of files) expect(existsSync(file)).toBe(false)
  })

  it.runIf(!isRoot)('rootless, new files in /etc and /usr can be written inside and are gone afterwards; files of unmapped owners stay read-only', async () => {
    const files = [`/etc/${marker}`, `/usr/${marker}`]
    const { stdout } = await sh(`touch ${files.join(' ')} && echo created; (echo x >> /etc/hostname) 2>&1; echo status $?`)
    expect(stdout).toMatch(/^created$/m)
    expect(stdout).toMatch(/Permission denied/)
    expect(stdout).toMatch(/status [12]/)
    for (const file of files) expect(existsSync(file)).toBe(false)
  })

  it("writes to the user's project directory succeed inside and are gone afterwards, even under /tmp", async () => {
    using project = tempProject()
    writeFileSync(join(project.dir, 'kept.txt'), 'original')
    const { result, stdout } = await sh('echo changed > kept.txt && echo new > new.txt && rm kept.txt && ls', {
      workdir: project.dir,
      visiblePaths: [project.dir],
    })
    expect(result.exitCode).toBe(0)
    expect(stdout.trim()).toBe('new.txt')
    expect(readFileSync(join(project.dir, 'kept.txt'), 'utf8')).toBe('original')
    expect(existsSync(join(project.dir, 'new.txt'))).toBe(false)
  })

  it('/tmp is private: host files are invisible and writes vanish', async () => {
    const hostFile = `/tmp/${marker}`
    writeFileSync(hostFile, 'host')
    try {
      const { stdout } = await sh(`ls -A /tmp; echo inside > /tmp/${marker}-in; cat /tmp/${marker}-in`, { workdir: '/', visiblePaths: [] })
      expect(stdout.trim()).toBe('inside')
      expect(existsSync(`/tmp/${marker}-in`)).toBe(false)
    } finally {
      rmSync(hostFile)
    }
  })

  it('read-only binds cannot be written; read-write binds can, and the host sees it', async () => {
    using project = tempProject()
    const ro = join(project.dir, 'ro')
    const rw = join(project.dir, 'rw')
    mkdirSync(ro)
    mkdirSync(rw)
    const { stdout } = await sh('touch /ro/x 2>&1; echo status $?; echo hello > /rw/x && echo written', {
      volumes: [`${ro}:/ro:ro`, `${rw}:/rw`],
      workdir: '/',
    })
    expect(stdout).toMatch(/Read-only file system/)
    expect(stdout).toMatch(/status 1/)
    expect(stdout).toMatch(/written/)
    expect(readFileSync(join(rw, 'x'), 'utf8')).toBe('hello\n')
    expect(existsSync(join(ro, 'x'))).toBe(false)
  })

  it('a volume target below a symlink lands where the container sees it (/var/run -> /run)', async () => {
    using project = tempProject()
    writeFileSync(join(project.dir, 'data'), 'through the link')
    // Resolved against the staging root instead of the new root, /var/run/x would end up outside the container.
    const { result, stdout } = await sh('cat /var/run/testcell-vol/data /run/testcell-vol/data', { volumes: [`${project.dir}:/var/run/testcell-vol:ro`] })
    expect(result.exitCode).toBe(0)
    expect(stdout).toBe('through the linkthrough the link')
  })

  it('a volume source reached through a symlink is the host’s target, resolved as the host sees it', async () => {
    using project = tempProject()
    mkdirSync(join(project.dir, 'real'))
    writeFileSync(join(project.dir, 'real/data'), 'real')
    const { symlinkSync } = await import('node:fs')
    symlinkSync(join(project.dir, 'real'), join(project.dir, 'link'))
    const { stdout } = await sh('cat /data/data', { volumes: [`${project.dir}/link:/data:ro`] })
    expect(stdout).toBe('real')
  })

  it('has a minimal /dev and a fresh /proc with kernel interfaces masked', async () => {
    const masked = ['/proc/timer_list', '/proc/keys', '/proc/sched_debug'].filter(existsSync)
    expect(masked.length).toBeGreaterThan(0)
    const { stdout, result } = await sh(
      `ls /dev | tr "\\n" " "; echo; head -c 4 /dev/urandom | wc -c; echo x > /dev/null && echo null-ok; cat ${masked.join(' ')} 2>&1 | wc -c`,
    )
    expect(result.exitCode).toBe(0)
    const [devices, random, nullOk, maskedBytes] = stdout.trim().split('\n')
    for (const node of ['full', 'null', 'pts', 'ptmx', 'random', 'shm', 'tty', 'urandom', 'zero', 'fd', 'stdin', 'stdout', 'stderr']) {
      expect(devices!.split(' ')).toContain(node)
    }
    expect(devices!.split(' ')).not.toContain('sda')
    expect(random!.trim()).toBe('4')
    expect(nullOk).toBe('null-ok')
    expect(maskedBytes!.trim()).toBe('0')
  })
})
