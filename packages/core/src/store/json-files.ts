import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'

/** The parsed `*.json` files of a store directory; one being written or replaced at this moment is skipped. */
export function readJsonFiles<T>(dir: string): T[] {
  const values: T[] = []
  for (const name of readdirSync(dir)) {
    if (!name.endsWith('.json')) continue
    try {
      values.push(JSON.parse(readFileSync(join(dir, name), 'utf8')) as T)
    } catch {
      // being written or replaced
    }
  }
  return values
}
