/**
 * A small JavaScript/TypeScript tokenizer, only as precise as the inline-snapshot check needs: it tells
 * string and template literals, comments, regular expressions, words and punctuation apart. A template
 * with `${…}` is one `template-code` token (it runs code); one without is a pure `template` literal.
 */
export type TokenKind = 'space' | 'comment' | 'string' | 'template' | 'template-code' | 'regex' | 'word' | 'punct'

export interface Token {
  kind: TokenKind
  start: number
  end: number
}

// After these words an expression starts, so a `/` begins a regular expression, not a division.
const EXPRESSION_KEYWORDS = new Set(['return', 'typeof', 'instanceof', 'in', 'of', 'new', 'delete', 'void', 'throw', 'case', 'do', 'else', 'yield', 'await'])
const WORD = /[\p{ID_Continue}$\u200c\u200d]/u
const SPACE = /\s/

export function tokenize(code: string): Token[] {
  return scan(code, 0, false).tokens
}

/**
 * Tokens from `from` to the end, or (`inSubstitution`) to the `}` that closes a template's `${`: then
 * `end` is just after that brace.
 */
function scan(code: string, from: number, inSubstitution: boolean): { tokens: Token[]; end: number } {
  const tokens: Token[] = []
  let pos = from
  let depth = 0
  let previous: Token | undefined // last token that is not space or comment
  while (pos < code.length) {
    const start = pos
    const kind = scanToken()
    const token = { kind, start, end: pos }
    if (kind === 'punct' && inSubstitution) {
      if (code[start] === '{') depth++
      else if (code[start] === '}' && depth-- === 0) return { tokens, end: pos }
    }
    tokens.push(token)
    if (kind !== 'space' && kind !== 'comment') previous = token
  }
  return { tokens, end: pos }

  function scanToken(): TokenKind {
    const c = code[pos]!
    if (SPACE.test(c)) {
      while (pos < code.length && SPACE.test(code[pos]!)) pos++
      return 'space'
    }
    if (c === '/' && code[pos + 1] === '/') {
      while (pos < code.length && code[pos] !== '\n') pos++
      return 'comment'
    }
    if (c === '/' && code[pos + 1] === '*') {
      const end = code.indexOf('*/', pos + 2)
      pos = end === -1 ? code.length : end + 2
      return 'comment'
    }
    if (c === '"' || c === "'") {
      pos = scanString(code, pos)
      return 'string'
    }
    if (c === '`') {
      const { end, code: hasCode } = scanTemplate(code, pos)
      pos = end
      return hasCode ? 'template-code' : 'template'
    }
    if (c === '/' && regexAllowed(previous)) {
      const end = scanRegex(code, pos)
      if (end !== null) {
        pos = end
        return 'regex'
      }
    }
    if (WORD.test(c)) {
      while (pos < code.length && WORD.test(code[pos]!)) pos++
      return 'word'
    }
    pos++
    return 'punct'
  }

  function regexAllowed(before: Token | undefined): boolean {
    if (!before) return true
    const text = code.slice(before.start, before.end)
    if (before.kind === 'word') return EXPRESSION_KEYWORDS.has(text)
    if (before.kind === 'punct') return !(text === ')' || text === ']' || text === '}')
    return false
  }
}

/** End of the string literal starting at `start` (at its closing quote, or at an unescaped line break). */
function scanString(code: string, start: number): number {
  const quote = code[start]
  let pos = start + 1
  while (pos < code.length) {
    const c = code[pos]!
    if (c === '\\') pos += 2
    else if (c === quote) return pos + 1
    else if (c === '\n') return pos
    else pos++
  }
  return code.length
}

/** End of the template literal starting at `start`, and whether it has `${…}` substitutions. */
function scanTemplate(code: string, start: number): { end: number; code: boolean } {
  let pos = start + 1
  let hasCode = false
  while (pos < code.length) {
    const c = code[pos]!
    if (c === '\\') pos += 2
    else if (c === '`') return { end: pos + 1, code: hasCode }
    else if (c === '$' && code[pos + 1] === '{') {
      hasCode = true
      pos = scanSubstitution(code, pos + 2)
    } else pos++
  }
  return { end: code.length, code: hasCode }
}

/** End of a `${…}` substitution whose code starts at `start` (after its closing brace). */
function scanSubstitution(code: string, start: number): number {
  return scan(code, start, true).end
}

/** End of the regular expression literal at `start`, or null when it is not one (no closing slash on the line). */
function scanRegex(code: string, start: number): number | null {
  let pos = start + 1
  let inClass = false
  while (pos < code.length) {
    const c = code[pos]!
    if (c === '\n') return null
    if (c === '\\') pos += 2
    else if (c === '[') {
      inClass = true
      pos++
    } else if (c === ']') {
      inClass = false
      pos++
    } else if (c === '/' && !inClass) {
      pos++
      while (pos < code.length && WORD.test(code[pos]!)) pos++
      return pos
    } else pos++
  }
  return null
}
