import { describe, expect, it } from 'vitest'
import { parseRunArgs } from './run-args.js'

describe('parseRunArgs', () => {
  it('parses docker-run style flags up to the command', () => {
    const args = parseRunArgs(
      ['--memory', '64MiB', '--pids-limit=32', '--network', 'none', '-e', 'A=1', '-e', 'HOME', '-w', '/x', '--result-json', 'r.json', '--', 'node', '-e', '1'],
      '/proj',
      { HOME: '/root' },
    )
    expect(args.options).toMatchObject({
      memory: 64 * 1024 ** 2,
      pidsLimit: 32,
      network: 'none',
      env: { A: '1', HOME: '/root' },
      workdir: '/x',
      command: ['node', '-e', '1'],
    })
    expect(args.resultJson).toBe('r.json')
  })

  it('starts the command at the first non-option', () => {
    expect(parseRunArgs(['ls', '-la'], '/', {}).options.command).toEqual(['ls', '-la'])
  })

  it.each([
    [['--memory', 'lots', 'x'], /invalid memory: "lots"/],
    [['--pids-limit', '0', 'x'], /invalid --pids-limit: "0"/],
    [['--bogus', 'x'], /invalid flag: "--bogus"/],
    [['--memory'], /invalid --memory: undefined; expected a value after it/],
    [['--network', 'host'], /invalid COMMAND/],
    [['-v', 'nocolon', 'x'], /invalid -v: "nocolon"/],
    [['--seccomp', 'unconfined', 'x'], /invalid --seccomp: "unconfined"; expected default, nested or off/],
  ])('rejects %j', (argv, message) => {
    expect(() => parseRunArgs(argv, '/', {})).toThrow(message)
  })
})
