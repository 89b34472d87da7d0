// Builds the launcher from native/ and the TypeScript packages. Run by `pnpm install` and `pnpm build`.
import { execFileSync } from 'node:child_process'

const run = (cmd, args) => execFileSync(cmd, args, { stdio: 'inherit' })

run('make', ['-s', '-C', 'native'])
run('node', ['node_modules/typescript/bin/tsc', '-b', 'packages/core', 'packages/vitest-plugin'])
