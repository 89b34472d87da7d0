import { join } from 'node:path'
import { controllerList, liveCgroupFs } from './cgroup-fs.js'
import { writeControl } from './files.js'
import { nest } from './nesting.js'
import { knownParentDir, type ParentPlan } from './parent.js'
import { startDelegatedScope } from './systemd-scope.js'
import type { CgroupDriver, CgroupLimits } from './types.js'
import { CgroupV2Driver } from './v2.js'

/**
 * cgroup v2 with a parent that is set up on first use: the first container's cgroup makes the scope or
 * does the nesting step (once per process), every container after that is created beside it.
 */
export class V2ParentDriver implements CgroupDriver {
  readonly version = 2 as const
  private dir: string | null = null

  constructor(
    readonly plan: ParentPlan,
    private readonly acquire: (plan: ParentPlan) => string = acquireParent,
  ) {}

  get parents(): readonly string[] {
    const dir = this.dir ?? knownParentDir(this.plan)
    return dir ? [dir] : []
  }

  create(name: string, limits: CgroupLimits): ReturnType<CgroupV2Driver['create']> {
    this.dir ??= this.acquire(this.plan)
    return new CgroupV2Driver(this.dir).create(name, limits)
  }
}

/** Does the writes a parent plan needs and returns the directory containers are created in. */
export function acquireParent(plan: ParentPlan): string {
  switch (plan.kind) {
    case 'root':
      return plan.dir
    case 'explicit':
      enableIfMissing(plan.dir)
      return plan.dir
    case 'nest':
      if (plan.why !== 'nested-already') nest(plan.dir)
      return plan.dir
    case 'systemd-scope': {
      const scope = startDelegatedScope(plan)
      nest(scope)
      return scope
    }
  }
}

/** TESTCELL_CGROUP_PARENT: the user gave us this cgroup; it must hold no processes of its own. */
function enableIfMissing(dir: string): void {
  const enabled = controllerList(liveCgroupFs, join(dir, 'cgroup.subtree_control'))
  const available = controllerList(liveCgroupFs, join(dir, 'cgroup.controllers'))
  const missing = ['memory', 'pids'].filter((c) => available.includes(c) && !enabled.includes(c))
  if (missing.length > 0) writeControl(join(dir, 'cgroup.subtree_control'), missing.map((c) => `+${c}`).join(' '))
}
