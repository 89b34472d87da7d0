import { OptionError } from '../errors.js'

/** What `setDocblockMemory` did to a file. */
export type DocblockChange = 'unchanged' | 'replaced' | 'key-added' | 'line-added'

// The same patterns Vitest uses to read a file's environment and its options (first occurrence wins).
const OPTIONS = /@(?:vitest|jest)-environment-options\s+(.+)/
const ENVIRONMENT = /@(?:vitest|jest)-environment\s+([\w-]+)\b/

/**
 * Sets `memory` in a test file's `@vitest-environment-options` docblock and leaves every other byte as it
 * was: only the memory value changes where it is present; a `"memory"` key is added to an options object that
 * lacks one; a whole options line is added (after the `@vitest-environment` line, or at the top) where none is.
 */
export function setDocblockMemory(source: string, memory: string, file = 'the file'): { text: string; change: DocblockChange } {
  const options = OPTIONS.exec(source)
  if (options) return editOptions(source, options.index + options[0].length - options[1]!.length, options[1]!, memory, file)
  return { text: addOptionsLine(source, memory), change: 'line-added' }
}

function editOptions(source: string, at: number, rest: string, memory: string, file: string): { text: string; change: DocblockChange } {
  const open = rest.indexOf('{')
  const close = open === -1 ? -1 : endOfValue(rest, open)
  const bad = () => new OptionError('@vitest-environment-options', rest.trim(), 'a JSON object on one line', { source: file })
  if (open === -1 || close === -1 || rest.slice(0, open).trim() !== '') throw bad()
  try {
    JSON.parse(rest.slice(open, close))
  } catch (cause) {
    throw new OptionError('@vitest-environment-options', rest.trim(), 'a JSON object on one line', { source: file, cause })
  }
  const value = JSON.stringify(memory)
  const members = topLevelMembers(rest, open, close)
  const existing = members.find((m) => m.key === 'memory')
  const splice = (from: number, to: number, text: string) => source.slice(0, at + from) + text + source.slice(at + to)
  if (existing) {
    if (rest.slice(existing.valueStart, existing.valueEnd) === value) return { text: source, change: 'unchanged' }
    return { text: splice(existing.valueStart, existing.valueEnd, value), change: 'replaced' }
  }
  const first = members[0]
  if (!first) return { text: splice(open + 1, open + 1, `"memory":${value}`), change: 'key-added' }
  const colon = rest.slice(first.keyEnd, first.valueStart) // e.g. ':' or ': '
  const spaced = colon.endsWith(' ')
  return { text: splice(first.keyStart, first.keyStart, `"memory"${colon}${value},${spaced ? ' ' : ''}`), change: 'key-added' }
}

function addOptionsLine(source: string, memory: string): string {
  const firstNewline = source.indexOf('\n')
  const fileEol = firstNewline > 0 && source[firstNewline - 1] === '\r' ? '\r\n' : '\n'
  const body = `@vitest-environment-options ${JSON.stringify({ memory })}`
  const environment = ENVIRONMENT.exec(source)
  if (environment) {
    const lineStart = source.lastIndexOf('\n', environment.index) + 1
    const newline = source.indexOf('\n', environment.index)
    const lineEnd = newline === -1 ? source.length : source[newline - 1] === '\r' ? newline - 1 : newline
    const eol = newline === -1 ? fileEol : source.slice(lineEnd, newline + 1)
    const prefix = source.slice(lineStart, environment.index)
    const indent = prefix.slice(0, prefix.length - prefix.trimStart().length)
    const opensBlock = prefix.trim().startsWith('/*') && !source.slice(lineStart, lineEnd).includes('*/')
    // Inside a block comment the new line continues it (` * `); after a line comment or a closed block, `//`.
    const lead = prefix.trim().startsWith('*') ? prefix : opensBlock ? `${indent} * ` : `${indent}// `
    const text = `${eol}${lead}${body}`
    return source.slice(0, lineEnd) + text + source.slice(lineEnd)
  }
  const shebang = source.startsWith('#!') ? firstNewline + 1 : 0
  if (source.startsWith('#!') && shebang === 0) return `${source}${fileEol}// ${body}${fileEol}`
  return `${source.slice(0, shebang)}// ${body}${fileEol}${source.slice(shebang)}`
}

interface Member {
  key: string
  keyStart: number
  keyEnd: number
  valueStart: number
  valueEnd: number
}

/** The key and value spans of the object at text[open..close) (already known to be valid JSON). */
function topLevelMembers(text: string, open: number, close: number): Member[] {
  const members: Member[] = []
  let i = skipSpace(text, open + 1)
  while (i < close - 1 && text[i] === '"') {
    const keyEnd = endOfValue(text, i)
    const colon = skipSpace(text, keyEnd)
    const valueStart = skipSpace(text, colon + 1)
    const valueEnd = endOfValue(text, valueStart)
    members.push({ key: JSON.parse(text.slice(i, keyEnd)) as string, keyStart: i, keyEnd, valueStart, valueEnd })
    i = skipSpace(text, valueEnd)
    if (text[i] === ',') i = skipSpace(text, i + 1)
  }
  return members
}

/** The end (exclusive) of the JSON value starting at `start`: a string, an object or array, or a literal. */
function endOfValue(text: string, start: number): number {
  const first = text[start]
  if (first === '"') {
    for (let i = start + 1; i < text.length; i++) {
      if (text[i] === '\\') i++
      else if (text[i] === '"') return i + 1
    }
    return -1
  }
  if (first === '{' || first === '[') {
    let depth = 0
    for (let i = start; i < text.length; i++) {
      const c = text[i]
      if (c === '"') {
        i = endOfValue(text, i) - 1
        if (i < 0) return -1
      } else if (c === '{' || c === '[') depth++
      else if (c === '}' || c === ']') {
        depth--
        if (depth === 0) return i + 1
      }
    }
    return -1
  }
  let i = start
  while (i < text.length && !/[\s,}\]]/.test(text[i]!)) i++
  return i
}

function skipSpace(text: string, i: number): number {
  while (i < text.length && /\s/.test(text[i]!)) i++
  return i
}
