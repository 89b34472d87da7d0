import { describe, expect, it } from 'vitest'
import { inlineSnapshotRewriteRefusal } from './inline-rewrite.js'

const original = `import { expect, it } from 'vitest'

it('renders', () => {
  const value = render({ a: 1 })
  expect(value).toMatchInlineSnapshot(\`"old"\`)
  expect(() => fail()).toThrowErrorMatchingInlineSnapshot()
  expect({ id: 1, name: 'x' }).toMatchInlineSnapshot({ id: expect.any(Number) })
  expect(value).toMatchInlineSnapshot(
    /* a comment */ \`
    "kept as is"
  \`,
  )
})
`

describe('inlineSnapshotRewriteRefusal accepts what Vitest writes', () => {
  it.each([
    ['a replaced template literal', original.replace('`"old"`', '`"new"`')],
    ['a literal added to an empty call', original.replace('toThrowErrorMatchingInlineSnapshot()', 'toThrowErrorMatchingInlineSnapshot(`"boom"`)')],
    [
      'a literal added after a property matcher',
      original.replace(
        'toMatchInlineSnapshot({ id: expect.any(Number) })',
        'toMatchInlineSnapshot({ id: expect.any(Number) }, `\n    {\n      "id": Any<Number>,\n    }\n  `)',
      ),
    ],
    ['a multi-line literal after a comment, with a trailing comma', original.replace('"kept as is"', '"changed"\n    "on two lines"')],
    ['a string literal', original.replace('`"old"`', "'a \\'quoted\\' string'")],
    ['a literal with escaped ${…}', original.replace('`"old"`', '`"\\${not code}"`')],
    ['the same content', original],
  ])('%s', (_, updated) => {
    expect(inlineSnapshotRewriteRefusal(original, updated)).toBeNull()
  })

  it('a property matcher literal replaced after a prettier-formatted call', () => {
    const before = 'expect(x).toMatchInlineSnapshot(\n  { id: expect.any(Number) },\n  `old`,\n)\n'
    expect(inlineSnapshotRewriteRefusal(before, 'expect(x).toMatchInlineSnapshot(\n  { id: expect.any(Number) }, `new`)\n')).toBeNull()
  })
})

describe('inlineSnapshotRewriteRefusal refuses every other change', () => {
  it.each([
    ['code outside the calls', original.replace('render({ a: 1 })', 'render({ a: 2 })')],
    ['a new statement', `${original}\nrequire('node:child_process').execSync('touch /tmp/pwned')\n`],
    ['whitespace outside the calls', original.replace('const value', 'const  value')],
    ['a template with code', original.replace('`"old"`', '`${require("node:fs").readFileSync("/etc/shadow")}`')],
    ['an expression around the literal', original.replace('`"old"`', '`"old"` + process.exit(1)')],
    ['a call on the literal', original.replace('`"old"`', '`"old"`.concat(globalThis.secret)')],
    ['a tagged template from an existing argument', original.replace('{ id: expect.any(Number) })', '{ id: expect.any(Number) } `x`)')],
    ['a changed property matcher', original.replace('expect.any(Number)', 'expect.any(String)')],
    ['an added argument that is code', original.replace('toThrowErrorMatchingInlineSnapshot()', 'toThrowErrorMatchingInlineSnapshot(fs.rmSync("/"))')],
    ['a new inline snapshot call', original.replace("it('renders'", "expect(1).toMatchInlineSnapshot(`1`)\nit('renders'")],
    ['a removed inline snapshot call', original.replace('expect(value).toMatchInlineSnapshot(`"old"`)', '')],
    ['a changed comment inside the call', original.replace('/* a comment */', '/* another */')],
    ['a renamed call', original.replace('toThrowErrorMatchingInlineSnapshot()', 'toThrowErrorMatchingSnapshot()')],
  ])('%s', (_, updated) => {
    expect(inlineSnapshotRewriteRefusal(original, updated)).toMatch(/^it changes/)
  })

  it('says where the change is', () => {
    expect(inlineSnapshotRewriteRefusal(original, original.replace('render({ a: 1 })', 'evil()'))).toMatch(/near ".*evil\(\)/)
  })
})
