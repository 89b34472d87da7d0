// The browser tier installs what it needs (Debian's chromium) itself; without it the tier fails, never skips.
type Ensure = (packages: string[]) => string | null

export default async function setup(): Promise<void> {
  const debian = new URL('../../scripts/lib/debian.mjs', import.meta.url).href
  const { ensureDebianPackages } = (await import(debian)) as { ensureDebianPackages: Ensure }
  const missing = ensureDebianPackages(['chromium'])
  if (missing) throw new Error(`the browser tests need Debian's chromium: ${missing}`)
}
