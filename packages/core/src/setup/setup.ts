import { existsSync, readdirSync, rmdirSync } from 'node:fs'
import { applyStep, describeStep, setupError } from './apply.js'
import { readSetupFacts } from './facts.js'
import { type Change, readManifest, removeManifest, writeManifest } from './manifest.js'
import { planSetup, type SetupOptions, type Step } from './plan.js'
import { PATHS } from './texts.js'
import { planUndo } from './undo.js'

export interface SetupRequest extends SetupOptions {
  user: string | null
  undo: boolean
  dryRun: boolean
}

/**
 * `testcell setup`: the one-time root part for one user. Prints each change it makes; a second run changes
 * nothing; `undo` takes back exactly what the manifest says setup added; `dryRun` only prints the plan.
 */
export function runSetup(request: SetupRequest, out: (line: string) => void, platform: NodeJS.Platform = process.platform): number {
  if (platform !== 'linux') {
    out(`testcell setup: nothing to do on ${platform}: containers need Linux (Docker, a Linux VM, or WSL2; see \`testcell doctor\`)`)
    return 0
  }
  const root = process.getuid?.() === 0
  if (!root && !request.dryRun) throw setupError('testcell setup changes system files and must run as root: sudo env "PATH=$PATH" npx testcell setup')
  if (request.undo) return undo(request, out)
  const facts = readSetupFacts(request.user)
  const who = facts.user ? `${facts.user.name} (uid ${facts.user.uid})` : 'this host (no user given)'
  out(`testcell setup for ${who}${request.dryRun ? ', dry run: nothing is changed' : ''}`)
  const plan = planSetup(facts, request)
  for (const note of plan.notes) out(`  = ${note}`)
  if (plan.steps.length === 0) {
    out('nothing to change')
    return 0
  }
  if (request.dryRun) {
    for (const step of plan.steps) out(`  would ${describeStep(step)}`)
    out(`${plan.steps.length} change${plan.steps.length === 1 ? '' : 's'} planned`)
    return 0
  }
  const manifest = facts.manifest ?? { version: 1 as const, changes: [] }
  const record = (change: Change | null) => {
    if (!change) return
    manifest.changes.push(change)
    writeManifest(manifest) // after every step, so an interrupted setup can still be undone
  }
  for (const step of plan.steps) {
    const { change, note } = applyStep(step)
    out(`  + ${describeStep(step)}${note ? ` (${note})` : ''}`)
    record(change)
  }
  verifyDelegation(request.user, out)
  out(`${plan.steps.length} change${plan.steps.length === 1 ? '' : 's'} made; \`testcell setup --undo\` takes them back`)
  return 0
}

function undo(request: SetupRequest, out: (line: string) => void): number {
  const manifest = readManifest()
  out(`testcell setup --undo${request.dryRun ? ', dry run: nothing is changed' : ''}`)
  const steps: Step[] = planUndo(manifest)
  if (steps.length === 0) {
    out(manifest ? 'nothing to undo' : `nothing to undo (no ${PATHS.manifest}: setup has not changed this host)`)
    if (manifest && !request.dryRun) removeState()
    return 0
  }
  for (const step of steps) {
    if (request.dryRun) {
      out(`  would ${describeStep(step)}`)
      continue
    }
    const { note } = applyStep(step)
    out(`  - ${describeStep(step)}${note ? ` (${note})` : ''}`)
  }
  if (!request.dryRun) removeState()
  out(request.dryRun ? `${steps.length} steps planned` : 'setup undone')
  return 0
}

function removeState(): void {
  removeManifest()
  if (existsSync(PATHS.stateDir) && readdirSync(PATHS.stateDir).length === 0) rmdirSync(PATHS.stateDir)
}

/** After a restart the manager must delegate memory and pids; say so plainly when something overrides the drop-in. */
function verifyDelegation(user: string | null, out: (line: string) => void): void {
  const facts = readSetupFacts(user)
  const delegated = facts.userManager?.delegated
  if (!delegated) return
  const missing = ['memory', 'pids'].filter((c) => !delegated.includes(c))
  if (missing.length > 0)
    out(
      `  ! user@${facts.user?.uid}.service still does not delegate ${missing.join(' ')}: another drop-in overrides Delegate= (systemctl cat user@${facts.user?.uid}.service)`,
    )
}
