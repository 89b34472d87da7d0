import { spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { chmodSync, chownSync, copyFileSync, existsSync, mkdirSync, readdirSync, renameSync, rmdirSync, rmSync, writeFileSync } from 'node:fs'
import { TestcellError } from '../errors.js'
import { sha256File } from '../launcher/installed-copy.js'
import type { Change } from './manifest.js'
import type { Step } from './plan.js'
import { PATHS } from './texts.js'

/** What a step does, as a phrase: "create directory /x" (printed as "would …" in a dry run, done after). */
export function describeStep(step: Step): string {
  switch (step.kind) {
    case 'mkdir':
      return `create directory ${step.path}`
    case 'install-launcher':
      return `install ${PATHS.launcher} (root:root 0755, sha256 ${step.sha256.slice(0, 12)}…), a copy of ${step.source}`
    case 'write-file':
      return `write ${step.path}`
    case 'load-profile':
      return `load AppArmor profile ${step.name} (apparmor_parser -r -W ${step.file})`
    case 'daemon-reload':
      return "reload systemd's configuration (systemctl daemon-reload)"
    case 'restart-user-manager':
      return `restart user@${step.uid}.service if it runs, so the new delegation applies (that user's systemd services restart)`
    case 'enable-linger':
      return `enable linger for ${step.user} (loginctl enable-linger): its user manager runs without a login session`
    case 'set-sysctl':
      return `set ${step.name} = ${step.value}${step.previous ? ` (now ${step.previous})` : ''}`
    case 'remove-file':
      return `remove ${step.path}`
    case 'rmdir':
      return `remove directory ${step.path} if empty`
    case 'unload-profile':
      return `unload AppArmor profile ${step.name} (apparmor_parser -R ${step.file})`
    case 'disable-linger':
      return `disable linger for ${step.user} (loginctl disable-linger)`
  }
}

/** Does one step; returns what to record for `--undo` (null for steps that need no record), or a note. */
export function applyStep(step: Step): { change: Change | null; note?: string } {
  switch (step.kind) {
    case 'mkdir':
      mkdirSync(step.path, { mode: 0o755 })
      chmodSync(step.path, 0o755)
      return { change: { kind: 'dir', path: step.path } }
    case 'install-launcher': {
      const temp = `${PATHS.launcher}.${process.pid}.tmp`
      copyFileSync(step.source, temp)
      chownSync(temp, 0, 0)
      chmodSync(temp, 0o755)
      if (sha256File(temp) !== step.sha256) throw setupError(`the copy ${temp} does not match ${step.source}: was it changed meanwhile?`)
      renameSync(temp, PATHS.launcher)
      return { change: { kind: 'file', path: PATHS.launcher, sha256: step.sha256 } }
    }
    case 'write-file': {
      writeFileSync(`${step.path}.tmp`, step.text, { mode: 0o644 })
      chownSync(`${step.path}.tmp`, 0, 0)
      renameSync(`${step.path}.tmp`, step.path)
      return { change: { kind: 'file', path: step.path, sha256: sha256Text(step.text) } }
    }
    case 'load-profile':
      command('apparmor_parser', ['-r', '-W', step.file])
      return { change: { kind: 'apparmor-profile', name: step.name, file: step.file } }
    case 'daemon-reload':
      command('systemctl', ['daemon-reload'])
      return { change: null }
    case 'restart-user-manager':
      command('systemctl', ['try-restart', `user@${step.uid}.service`])
      return { change: { kind: 'user-manager-restarted', uid: step.uid } }
    case 'enable-linger':
      command('loginctl', ['enable-linger', step.user])
      return { change: { kind: 'linger', user: step.user } }
    case 'set-sysctl':
      command('sysctl', ['-q', '-w', `${step.name}=${step.value}`])
      return { change: step.previous ? { kind: 'sysctl', name: step.name, previous: step.previous } : null }
    case 'remove-file':
      if (!existsSync(step.path)) return { change: null, note: `${step.path} was already gone` }
      if (sha256File(step.path) !== step.sha256) return { change: null, note: `kept ${step.path}: it was changed after setup wrote it` }
      rmSync(step.path)
      return { change: null }
    case 'rmdir':
      if (!existsSync(step.path)) return { change: null }
      if (readdirSync(step.path).length > 0) return { change: null, note: `kept ${step.path}: other files are in it now` }
      rmdirSync(step.path)
      return { change: null }
    case 'unload-profile':
      if (existsSync(step.file)) command('apparmor_parser', ['-R', step.file])
      return { change: null }
    case 'disable-linger':
      command('loginctl', ['disable-linger', step.user])
      return { change: null }
  }
}

function command(file: string, args: string[]): void {
  const result = spawnSync(file, args, { encoding: 'utf8', timeout: 120_000 })
  if (result.error || result.status !== 0) {
    const why = result.error?.message ?? (result.stderr.trim() || `exit status ${result.status}`)
    throw setupError(`${file} ${args.join(' ')} failed: ${why}`, result.error)
  }
}

function sha256Text(text: string): string {
  return createHash('sha256').update(text).digest('hex')
}

export function setupError(message: string, cause?: unknown): TestcellError {
  return new TestcellError('TESTCELL_SETUP', message, { cause })
}
