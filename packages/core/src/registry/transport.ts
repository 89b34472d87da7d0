import { isIP } from 'node:net'

/**
 * The URL scheme for a registry: plain HTTP for loopback addresses (as Docker does) and for hosts named in
 * `TESTCELL_INSECURE_REGISTRIES` (comma-separated host[:port]); HTTPS for every other.
 */
export function registryScheme(host: string, env: NodeJS.ProcessEnv = process.env): 'http' | 'https' {
  const insecure = (env.TESTCELL_INSECURE_REGISTRIES ?? '')
    .split(',')
    .map((h) => h.trim())
    .filter(Boolean)
  if (insecure.includes(host) || insecure.includes(hostname(host))) return 'http'
  return isLoopback(hostname(host)) ? 'http' : 'https'
}

function hostname(host: string): string {
  if (host.startsWith('[')) return host.slice(1, host.indexOf(']'))
  const colon = host.lastIndexOf(':')
  return colon > 0 && !host.slice(0, colon).includes(':') ? host.slice(0, colon) : host
}

export function isLoopback(name: string): boolean {
  if (name === 'localhost' || name.endsWith('.localhost')) return true
  if (isIP(name) === 4) return name.startsWith('127.')
  if (isIP(name) === 6) return name === '::1'
  return false
}
