import { spawn } from 'node:child_process'
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { inject } from 'vitest'

/** The e2e projects (prepare-projects.mjs): the suite runs in the first three; `pnpm` is an install smoke test. */
export type VitestVersion = 'v4' | 'v5' | 'v5-latest' | 'pnpm'
/** Vitest 4.1.12 (Node 20), 5.1.1 and the newest 5.x the registry serves (Node 22), all installed with npm. */
export const VERSIONS: VitestVersion[] = ['v4', 'v5', 'v5-latest']

/** What prepare-projects.mjs built for each project (its projects.json). */
export function projectSpec(name: string): ProjectSpec {
  const specs = JSON.parse(readFileSync(join(inject('e2eDir'), 'projects.json'), 'utf8')) as Record<string, ProjectSpec>
  const spec = specs[name]
  if (!spec) throw new Error(`no e2e project ${name} (have ${Object.keys(specs).join(', ')})`)
  return spec
}

export interface ProjectSpec {
  installer: 'npm' | 'pnpm'
  vitest: string
  node?: string
  suite?: boolean
  os?: string
  cpu?: string
}

export interface VitestRun {
  code: number | null
  output: string
  dir: string
  durationMs: number
  /** Vitest's JSON report (null when the run produced none). */
  report: { numFailedTestSuites: number; numPassedTests: number; testResults: FileResult[] } | null
  status(file: string): string | undefined
  /** Whether the two files ran at the same time (per the JSON report's start and end times). */
  overlapped(a: string, b: string): boolean
}

interface FileResult {
  name: string
  status: string
  message: string
  startTime: number
  endTime: number
  assertionResults: { status: string }[]
}

/** Copies fixture `name` into the prepared project of `version` and runs that Vitest on it. */
export async function runVitest(version: VitestVersion, name: string, args: string[] = [], env: NodeJS.ProcessEnv = {}): Promise<VitestRun> {
  const dir = mkdtempSync(join(inject('e2eDir'), version, `${name}-`))
  cpSync(new URL(`./fixtures/${name}`, import.meta.url), dir, { recursive: true })
  return runVitestAgain(version, dir, ['run', ...args], env)
}

/** Runs Vitest of `version` in a fixture copy made by runVitest (`args` start with the command, e.g. `run`). */
export async function runVitestAgain(version: VitestVersion, dir: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<VitestRun> {
  const project = join(inject('e2eDir'), version)
  const node = projectSpec(version).node ? join(project, 'node_modules/.bin/node') : process.execPath
  const reportFile = join(dir, '.report.json')
  const started = performance.now()
  const { code, output } = await new Promise<{ code: number | null; output: string }>((resolve, reject) => {
    const child = spawn(
      node,
      [join(project, 'node_modules/vitest/vitest.mjs'), ...args, ...consoleReporter(args), '--reporter=json', `--outputFile.json=${reportFile}`],
      {
        cwd: dir,
        env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0', ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    )
    let output = ''
    child.stdout.on('data', (d: Buffer) => (output += d))
    child.stderr.on('data', (d: Buffer) => (output += d))
    child.on('error', reject)
    child.on('close', (c) => resolve({ code: c, output }))
  })
  const report = existsSync(reportFile) ? JSON.parse(readFileSync(reportFile, 'utf8')) : null
  const result = (file: string): FileResult | undefined => report?.testResults.find((r: FileResult) => r.name === join(dir, file))
  return {
    code,
    output,
    dir,
    durationMs: performance.now() - started,
    report,
    status: (file) => result(file)?.status,
    overlapped: (a, b) => {
      const [x, y] = [result(a), result(b)]
      return !!x && !!y && x.startTime < y.endTime && y.startTime < x.endTime
    },
  }
}

/** The default reporter, unless the run asks for the verbose one. */
function consoleReporter(args: string[]): string[] {
  return args.includes('--reporter=verbose') ? [] : ['--reporter=default']
}

/** Host pids whose command line is exactly `argv`. */
export function processesRunning(argv: string[]): number[] {
  const wanted = `${argv.join('\0')}\0`
  return readdirSync('/proc')
    .filter((p) => /^\d+$/.test(p))
    .filter((p) => {
      try {
        return readFileSync(`/proc/${p}/cmdline`, 'utf8') === wanted
      } catch {
        return false
      }
    })
    .map(Number)
}
