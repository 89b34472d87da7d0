import { describe, expect, it } from 'vitest'
import { setDocblockMemory } from './docblock.js'

// Vitest reads these tags from any test file's text, this one included: spell them only at run time.
const src = (text: string) => text.replaceAll('@O', `@vitest-environment${'-'}options`).replaceAll('@E', `@vitest-${'environment'}`)

/** Every byte but the expected edit stays: the result is `before + inserted + after` exactly. */
function expectOnlyEdit(source: string, edited: string, removed: string, inserted: string): void {
  const at = [...source].findIndex((_, i) => source[i] !== edited[i])
  expect(at).toBeGreaterThanOrEqual(0)
  expect(edited).toBe(source.slice(0, at) + inserted + source.slice(at + removed.length))
}

describe('setDocblockMemory', () => {
  it('changes only the memory value where there is one', () => {
    const source = src('// @E container\n// @O { "network": "none", "memory": "256MiB" }\nimport { test } from "vitest"\n')
    const { text, change } = setDocblockMemory(source, '96MiB')
    expect(change).toBe('replaced')
    expect(text).toBe(source.replace('"256MiB"', '"96MiB"'))
    expectOnlyEdit(source, text, '256', '96')
  })

  it('replaces a number value and keeps a docblock ending in */', () => {
    const source = src('/** @O {"memory":268435456,"env":{"memory":"x"}} */\r\ntest()\r\n')
    const { text } = setDocblockMemory(source, '1GiB')
    expect(text).toBe(src('/** @O {"memory":"1GiB","env":{"memory":"x"}} */\r\ntest()\r\n'))
  })

  it('leaves the file untouched when the value is already the one asked for', () => {
    const source = src('// @O {"memory":"96MiB"}\n')
    expect(setDocblockMemory(source, '96MiB')).toEqual({ text: source, change: 'unchanged' })
  })

  it('adds the key in the object’s own style where it is missing', () => {
    expect(setDocblockMemory(src('// @O {"network":"none"}\nx\n'), '64MiB').text).toBe(src('// @O {"memory":"64MiB","network":"none"}\nx\n'))
    expect(setDocblockMemory(src(' * @O { "network": "none" }\n'), '64MiB').text).toBe(src(' * @O { "memory": "64MiB", "network": "none" }\n'))
    expect(setDocblockMemory(src('// @O {}\n'), '64MiB')).toEqual({ text: src('// @O {"memory":"64MiB"}\n'), change: 'key-added' })
  })

  it(src('adds an options line after a // @E line'), () => {
    const source = src('// @E container\nimport { test } from "vitest"\n')
    const { text, change } = setDocblockMemory(source, '96MiB')
    expect(change).toBe('line-added')
    expectOnlyEdit(source, text, '', src('// @O {"memory":"96MiB"}\n'))
  })

  it('continues a block docblock, with its indentation and CRLF line ends', () => {
    const source = src('/**\r\n * @E container\r\n */\r\ntest()\r\n')
    expect(setDocblockMemory(source, '96MiB').text).toBe(src('/**\r\n * @E container\r\n * @O {"memory":"96MiB"}\r\n */\r\ntest()\r\n'))
    expect(setDocblockMemory(src('/** @E container\n */\n'), '96MiB').text).toBe(src('/** @E container\n * @O {"memory":"96MiB"}\n */\n'))
    expect(setDocblockMemory(src('/** @E container */\nx'), '96MiB').text).toBe(src('/** @E container */\n// @O {"memory":"96MiB"}\nx'))
  })

  it('adds a line at the top (after a shebang) when the file has no docblock', () => {
    expect(setDocblockMemory('import { test } from "vitest"\n', '96MiB').text).toBe(src('// @O {"memory":"96MiB"}\nimport { test } from "vitest"\n'))
    expect(setDocblockMemory('#!/usr/bin/env node\nx\n', '96MiB').text).toBe(src('#!/usr/bin/env node\n// @O {"memory":"96MiB"}\nx\n'))
    expect(setDocblockMemory('', '96MiB').text).toBe(src('// @O {"memory":"96MiB"}\n'))
  })

  it('keeps non-ASCII text, tabs and a missing final newline byte for byte', () => {
    const source = src('// @E container\n\tconst s = "ümlaut → ✓"\r\nno newline at the end')
    const { text } = setDocblockMemory(source, '48MiB')
    expect(Buffer.from(text)).toEqual(Buffer.concat([Buffer.from(src('// @E container\n// @O {"memory":"48MiB"}')), Buffer.from(source).subarray(32)]))
  })

  it('refuses options that are not a one-line JSON object, naming the file', () => {
    expect(() => setDocblockMemory(src('// @O memory=1G\n'), '1GiB', 'tests/a.test.ts')).toThrow(
      /options in tests\/a\.test\.ts: "memory=1G"; expected a JSON object on one line/,
    )
    expect(() => setDocblockMemory(src('// @O {"memory": \n'), '1GiB')).toThrow(/JSON object/)
  })
})
