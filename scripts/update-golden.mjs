// Rewrites the launcher protocol's golden files (native/tests/golden/) after a deliberate protocol change:
// plan.bin from plan.json with TypeScript's encoder, plan.dump and status.jsonl from the C side. Review the diff:
// both the C and the TypeScript unit tests check these files, so a change here is a change of the wire format.
// status.json (what TypeScript must decode from status.jsonl) is written by hand.
import { execFileSync } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { encodePlan } from '../packages/core/dist/launcher/plan.js'

const native = resolve(import.meta.dirname, '../native')
const golden = join(native, 'tests/golden')
execFileSync('make', ['-s', '-C', native, 'build/unit-tests'], { stdio: 'inherit' })
writeFileSync(join(golden, 'plan.bin'), encodePlan(JSON.parse(readFileSync(join(golden, 'plan.json'), 'utf8'))))
const tests = join(native, 'build/unit-tests')
writeFileSync(join(golden, 'plan.dump'), execFileSync(tests, ['--dump-plan', 'tests/golden/plan.bin'], { cwd: native }))
writeFileSync(join(golden, 'status.jsonl'), execFileSync(tests, ['--print-status'], { cwd: native }))
console.log(`updated ${golden}`)
