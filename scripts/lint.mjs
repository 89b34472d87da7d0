// Lint: the whole TypeScript tree (sources and tests) under strict unused checks, and the launcher's
// sources under the compiler's warnings as errors.
import { execFileSync } from 'node:child_process'

execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.lint.json'], { stdio: 'inherit' })
execFileSync('make', ['-s', '-C', 'native', 'lint'], { stdio: 'inherit' })
