import { fileURLToPath } from 'node:url'

/** The fake launcher (see testcell-launcher here): set TESTCELL_LAUNCHER to it. */
export const FAKE_LAUNCHER = fileURLToPath(new URL('./testcell-launcher', import.meta.url))

/** Environment for a container run by the fake launcher: which Node runs it, and which failure it acts out. */
export function fakeLauncherEnv(scenario?: string): Record<string, string> {
  return { TESTCELL_FAKE_NODE: process.execPath, ...(scenario ? { TESTCELL_FAKE_LAUNCHER: scenario } : {}) }
}
