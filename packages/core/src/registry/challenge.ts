/** One `WWW-Authenticate` challenge: `Bearer realm="…",service="…",scope="…"` or `Basic realm="…"`. */
export interface Challenge {
  scheme: string
  params: Record<string, string>
}

/** Parses the first challenge of a `WWW-Authenticate` header (quoted values may hold commas). */
export function parseChallenge(header: string | null): Challenge | null {
  if (!header) return null
  const match = /^\s*([A-Za-z][\w-]*)\s*(.*)$/s.exec(header)
  if (!match) return null
  const params: Record<string, string> = {}
  const pattern = /([A-Za-z_][\w-]*)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^,\s]*))\s*(?:,|$)/g
  for (const m of match[2]!.matchAll(pattern)) params[m[1]!.toLowerCase()] = m[2] !== undefined ? m[2].replace(/\\(.)/g, '$1') : (m[3] ?? '')
  return { scheme: match[1]!.toLowerCase(), params }
}
