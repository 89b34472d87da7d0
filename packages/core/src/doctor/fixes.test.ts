import { describe, expect, it } from 'vitest'
import type { Finding } from './classify.js'
import { fixBlock } from './fixes.js'
import { describeHost } from './host-kind.js'

const ctx = { user: 'runner', uid: 1001, label: 'unconfined' }
const finding = (cause: Finding['cause']): Finding => ({ cause, severity: 'error', summary: cause, evidence: cause })
const host = (over: Partial<Parameters<typeof describeHost>[0]>) =>
  describeHost({ platform: 'linux', container: null, ci: null, devcontainer: false, wsl: false, runnerImage: null, ...over })

describe('describeHost', () => {
  it.each([
    [{ container: 'docker', ci: 'github' }, 'github-container'],
    [{ container: 'docker', ci: 'gitlab' }, 'gitlab-container'],
    [{ container: 'docker', devcontainer: true }, 'devcontainer'],
    [{ container: 'podman' }, 'podman'],
    [{ container: 'docker' }, 'docker'],
    [{ ci: 'github', runnerImage: 'ubuntu24' }, 'github-runner'],
    [{ wsl: true }, 'wsl'],
    [{}, 'linux'],
    [{ platform: 'darwin' }, 'not-linux'],
  ] as const)('%j is %s', (facts, kind) => {
    expect(host(facts).kind).toBe(kind)
  })
})

describe('fixBlock: one copy-paste block for the host it detected', () => {
  it('a GitHub container job gets container.options', () => {
    const fix = fixBlock([finding('seccomp')], host({ container: 'docker', ci: 'github' }), ctx)
    expect(fix?.text).toContain('options: --privileged')
    expect(fix?.text).toContain('--security-opt seccomp=unconfined --security-opt apparmor=unconfined --security-opt systempaths=unconfined')
  })

  it('a GitLab job gets config.toml', () => {
    const fix = fixBlock([finding('lsm-mount')], host({ container: 'docker', ci: 'gitlab' }), ctx)
    expect(fix?.title).toContain('config.toml')
    expect(fix?.text).toMatch(/\[runners\.docker\]\n {4}privileged = true/)
  })

  it('a dev container gets devcontainer.json keys', () => {
    const fix = fixBlock([finding('masked-proc')], host({ container: 'docker', devcontainer: true }), ctx)
    expect(fix?.text).toContain('"privileged": true')
    expect(fix?.text).toContain('"systempaths=unconfined"')
  })

  it('plain Docker gets docker run flags; Podman its own (unmask=ALL)', () => {
    expect(fixBlock([finding('masked-proc')], host({ container: 'docker' }), ctx)?.text).toContain('docker run --cap-add SYS_ADMIN')
    expect(fixBlock([finding('masked-proc')], host({ container: 'podman' }), ctx)?.text).toContain('unmask=ALL')
  })

  it('a read-only cgroupfs in a container asks for --privileged', () => {
    expect(fixBlock([finding('cgroup-readonly')], host({ container: 'docker' }), ctx)?.text).toMatch(/^docker run --privileged/)
  })

  it('Ubuntu on a GitHub runner gets a workflow step with the setup line, never sudo -E', () => {
    const fix = fixBlock([finding('ubuntu-userns-restriction')], host({ ci: 'github', runnerImage: 'ubuntu24' }), ctx)
    expect(fix?.text).toContain('- run: sudo env "PATH=$PATH" npx testcell setup')
    expect(fix?.text).not.toContain('sudo -E')
  })

  it('host causes get the sysctl, linger or setup line with the real user', () => {
    const text = fixBlock([finding('no-user-manager'), finding('userns-clone-disabled')], host({}), ctx)?.text
    expect(text).toContain('sudo loginctl enable-linger runner')
    expect(text).toContain('sudo sysctl -w kernel.unprivileged_userns_clone=1')
    expect(fixBlock([finding('controllers-not-delegated')], host({}), ctx)?.text).toContain('testcell setup --user runner')
  })

  it('WSL2 on cgroup v1 gets the .wslconfig line and wsl --shutdown', () => {
    const fix = fixBlock([finding('cgroup-v1-rootless')], host({ wsl: true }), ctx)
    expect(fix?.text).toContain('kernelCommandLine = cgroup_no_v1=all')
    expect(fix?.text).toContain('wsl --shutdown')
  })

  it('off Linux: how to get a Linux (Docker, a VM, WSL2)', () => {
    const text = fixBlock([finding('not-linux')], host({ platform: 'darwin' }), ctx)?.text ?? ''
    expect(text).toMatch(/docker run/)
    expect(text).toMatch(/VM/)
    expect(text).toMatch(/WSL2/)
  })

  it('nothing to fix, no block', () => {
    expect(fixBlock([], host({}), ctx)).toBeNull()
  })
})
