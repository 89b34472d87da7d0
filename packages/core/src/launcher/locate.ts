import { accessSync, constants } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { TestcellError } from '../errors.js'

const candidates = (): string[] => [
  // Workspace checkout: built from native/ by the install (first, so a rebuild is never shadowed).
  fileURLToPath(new URL('../../../../native/build/testcell-launcher', import.meta.url)),
  // Packed package: a static launcher built for this architecture.
  fileURLToPath(new URL(`../../prebuilt/linux-${process.arch}/testcell-launcher`, import.meta.url)),
]

let located: string | undefined

/** The launcher binary: $TESTCELL_LAUNCHER, the packed prebuilt, or the workspace build. */
export function locateLauncher(env: NodeJS.ProcessEnv = process.env): string {
  if (env.TESTCELL_LAUNCHER) return checkExecutable(env.TESTCELL_LAUNCHER)
  if (located) return located
  for (const path of candidates()) {
    try {
      accessSync(path, constants.X_OK)
      located = path
      return path
    } catch {
      // next candidate
    }
  }
  throw new TestcellError(
    'TESTCELL_LAUNCHER_NOT_FOUND',
    `the testcell launcher binary was not found (looked in ${candidates().join(', ')}): ` +
      'reinstall @testcell/core, or in a checkout run the install (it builds native/), or set TESTCELL_LAUNCHER',
  )
}

function checkExecutable(path: string): string {
  try {
    accessSync(path, constants.X_OK)
    return path
  } catch (cause) {
    throw new TestcellError('TESTCELL_LAUNCHER_NOT_FOUND', `TESTCELL_LAUNCHER=${path} is not an executable file`, { cause })
  }
}
