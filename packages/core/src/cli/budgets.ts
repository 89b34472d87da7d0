import { readFileSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { setDocblockMemory } from '../budgets/docblock.js'
import { DEFAULT_HISTORY_PATH, readHistory } from '../budgets/history.js'
import { formatBudget } from '../budgets/readable-size.js'
import { suggestBudgets } from '../budgets/suggest.js'
import { currentBudget, formatSuggestions } from '../budgets/table.js'
import { OptionError } from '../errors.js'

export const BUDGETS_USAGE = `usage: testcell budgets suggest [--write] [--history FILE] [--root DIR] [--project NAME] [--min-runs N]
  Proposes a memory budget per test file from the memory history the Vitest plugin writes: the p95 of the
  peaks of its last 20 finished runs plus 25% (at least 16 MiB), rounded up to a readable size.
  --write          set each suggested budget in the file's @vitest-environment-options docblock
  --history FILE   the history file (default: ROOT/${DEFAULT_HISTORY_PATH})
  --root DIR       the project root the history's file names are relative to (default: the current directory)
  --project NAME   only this Vitest project's files
  --min-runs N     finished runs a file needs before a budget is suggested (default 3)`

interface BudgetsArgs {
  write: boolean
  history: string
  root: string
  project: string | null
  minRuns: number
}

/** `testcell budgets suggest [--write]`: exit 0, or 1 when the history is missing or a file could not be written. */
export async function budgets(argv: readonly string[]): Promise<number> {
  const args = parseBudgetsArgs(argv, process.cwd())
  const { entries, invalidLines } = readHistory(args.history)
  if (invalidLines.length > 0)
    process.stderr.write(`testcell: ignored ${invalidLines.length} unreadable line(s) of ${args.history}: ${invalidLines.slice(0, 5).join(', ')}\n`)
  const wanted = entries.filter((e) => args.project === null || e.project === args.project)
  if (wanted.length === 0) {
    process.stderr.write(`testcell: no memory history in ${args.history}: run the tests with the container() plugin first (its history option)\n`)
    return 1
  }
  const suggestions = suggestBudgets(wanted, { minRuns: args.minRuns })
  process.stdout.write(`${formatSuggestions(suggestions)}\n`)
  if (!args.write) return 0
  let failed = 0
  for (const s of suggestions) {
    if (s.suggestedBytes === null || s.suggestedBytes === s.currentBytes) continue
    const path = join(args.root, s.file)
    try {
      const { text, change } = setDocblockMemory(readFileSync(path, 'utf8'), formatBudget(s.suggestedBytes), s.file)
      if (change === 'unchanged') continue
      writeFileSync(path, text)
      process.stdout.write(`wrote ${s.file}: memory ${currentBudget(s)} -> ${formatBudget(s.suggestedBytes)}\n`)
    } catch (error) {
      failed++
      process.stderr.write(`testcell: could not update ${path}: ${(error as Error).message}\n`)
    }
  }
  return failed === 0 ? 0 : 1
}

export function parseBudgetsArgs(argv: readonly string[], cwd: string): BudgetsArgs {
  const [sub, ...rest] = argv
  if (sub !== 'suggest') throw new OptionError('budgets command', sub ?? '', '"suggest" (testcell budgets suggest [--write])')
  const args: BudgetsArgs = { write: false, history: '', root: cwd, project: null, minRuns: 3 }
  let history: string | null = null
  for (let i = 0; i < rest.length; i++) {
    const flag = rest[i]!
    const value = () => {
      const v = rest[++i]
      if (v === undefined) throw new OptionError(flag, undefined, 'a value after it')
      return v
    }
    if (flag === '--write') args.write = true
    else if (flag === '--history') history = value()
    else if (flag === '--root') args.root = resolve(cwd, value())
    else if (flag === '--project') args.project = value()
    else if (flag === '--min-runs') {
      const v = value()
      if (!/^[1-9]\d*$/.test(v)) throw new OptionError('--min-runs', v, 'a whole number of runs, 1 or more')
      args.minRuns = Number(v)
    } else throw new OptionError('budgets suggest option', flag, 'one of --write, --history, --root, --project, --min-runs')
  }
  args.history = history === null ? join(args.root, DEFAULT_HISTORY_PATH) : resolve(cwd, history)
  return args
}
