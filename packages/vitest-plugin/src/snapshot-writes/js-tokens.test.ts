import { describe, expect, it } from 'vitest'
import { tokenize } from './js-tokens.js'

const kinds = (code: string) =>
  tokenize(code)
    .filter((t) => t.kind !== 'space')
    .map((t) => [t.kind, code.slice(t.start, t.end)])

describe('tokenize', () => {
  it('tells literals, comments, words and punctuation apart', () => {
    expect(kinds('a("x\\"y", `t`) // c\n/* b */')).toEqual([
      ['word', 'a'],
      ['punct', '('],
      ['string', '"x\\"y"'],
      ['punct', ','],
      ['template', '`t`'],
      ['punct', ')'],
      ['comment', '// c'],
      ['comment', '/* b */'],
    ])
  })

  it('keeps a template with substitutions whole, nested templates and braces included', () => {
    expect(kinds('`a${ {b: `c${d}`} }e` f')).toEqual([
      ['template-code', '`a${ {b: `c${d}`} }e`'],
      ['word', 'f'],
    ])
  })

  it('knows a regular expression from a division', () => {
    expect(kinds('x = /`/g; y = a / b / c')).toEqual([
      ['word', 'x'],
      ['punct', '='],
      ['regex', '/`/g'],
      ['punct', ';'],
      ['word', 'y'],
      ['punct', '='],
      ['word', 'a'],
      ['punct', '/'],
      ['word', 'b'],
      ['punct', '/'],
      ['word', 'c'],
    ])
    expect(kinds('return /[/]`/.test(s)')[1]).toEqual(['regex', '/[/]`/'])
  })
})
