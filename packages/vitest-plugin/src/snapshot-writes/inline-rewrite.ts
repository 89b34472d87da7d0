import { type Token, tokenize } from './js-tokens.js'

const INLINE_SNAPSHOT_CALLS = new Set(['toMatchInlineSnapshot', 'toThrowErrorMatchingInlineSnapshot'])

/**
 * Why `updated` is not a rewrite of `original` that only changes inline snapshot literals, or null when it
 * is one. Vitest's inline snapshots only ever replace, add or remove a string or template literal (without
 * `${…}`) in the argument list of `toMatchInlineSnapshot(…)` / `toThrowErrorMatchingInlineSnapshot(…)`.
 * Both versions are reduced to a skeleton without those literals: everything outside the argument lists
 * must be byte for byte the same, and inside them the same tokens in the same order (whitespace and the
 * comma before a literal aside), so no code can be added, removed or changed.
 */
export function inlineSnapshotRewriteRefusal(original: string, updated: string): string | null {
  const before = skeleton(original)
  const after = skeleton(updated)
  if (before.calls !== after.calls) return `it changes the number of inline snapshot calls (${before.calls} before, ${after.calls} after)`
  if (before.text === after.text) return null
  const at = firstDifference(before.text, after.text)
  return `it changes code outside the snapshot literals of toMatchInlineSnapshot(…) (near "${excerpt(after.text, at)}")`
}

interface Skeleton {
  text: string
  calls: number
}

function skeleton(code: string): Skeleton {
  const tokens = tokenize(code)
  const significant = tokens.filter((t) => t.kind !== 'space')
  const text = (t: Token) => code.slice(t.start, t.end)
  let out = ''
  let copiedTo = 0
  let calls = 0
  for (let i = 0; i < significant.length; i++) {
    const token = significant[i]!
    const open = significant[i + 1]
    if (token.kind !== 'word' || !INLINE_SNAPSHOT_CALLS.has(text(token)) || !open || text(open) !== '(') continue
    const close = matchingParen(significant, i + 1, text)
    if (close === null) continue
    calls++
    out += code.slice(copiedTo, open.end)
    out += argumentSkeleton(significant.slice(i + 2, close), text)
    copiedTo = significant[close]!.start
    i = close
  }
  return { text: out + code.slice(copiedTo), calls }
}

/** The arguments' tokens without the removable literals, one space apart (comments are kept). */
function argumentSkeleton(args: Token[], text: (t: Token) => string): string {
  const kept: string[] = []
  let depth = 0
  for (let i = 0; i < args.length; i++) {
    const token = args[i]!
    const value = text(token)
    if (token.kind === 'punct') {
      if ('([{'.includes(value)) depth++
      else if (')]}'.includes(value)) depth--
    }
    const previous = lastSignificant(args, i)
    const isLiteral = token.kind === 'string' || token.kind === 'template'
    // A literal directly in the argument list, as the first argument or after a comma.
    if (depth === 0 && isLiteral && (previous === null || text(previous) === ',')) {
      if (previous !== null) kept.splice(kept.lastIndexOf(','), 1) // its comma
      continue
    }
    // A trailing comma before the closing parenthesis (a formatter's choice).
    if (depth === 0 && value === ',' && i === args.length - 1) continue
    kept.push(value)
  }
  return kept.join(' ')
}

function lastSignificant(tokens: Token[], index: number): Token | null {
  for (let i = index - 1; i >= 0; i--) if (tokens[i]!.kind !== 'comment') return tokens[i]!
  return null
}

function matchingParen(tokens: Token[], open: number, text: (t: Token) => string): number | null {
  let depth = 0
  for (let i = open; i < tokens.length; i++) {
    const token = tokens[i]!
    if (token.kind !== 'punct') continue
    const value = text(token)
    if ('([{'.includes(value)) depth++
    else if (')]}'.includes(value) && --depth === 0) return value === ')' ? i : null
  }
  return null
}

function firstDifference(a: string, b: string): number {
  let i = 0
  while (i < a.length && i < b.length && a[i] === b[i]) i++
  return i
}

function excerpt(text: string, at: number): string {
  return text
    .slice(Math.max(0, at - 20), at + 40)
    .replace(/\s+/g, ' ')
    .trim()
}
