import { createHash } from 'node:crypto'

/** OCI ChainIDs: a layer's identity together with everything below it (what its extraction depends on). */
export function chainIds(diffIds: readonly string[]): string[] {
  const chains: string[] = []
  for (const diffId of diffIds) {
    const below = chains[chains.length - 1]
    chains.push(below === undefined ? diffId : `sha256:${createHash('sha256').update(`${below} ${diffId}`).digest('hex')}`)
  }
  return chains
}

/** The short directory name of a layer (96 bits of its chain id): keeps overlay's lowerdir option short. */
export function layerKey(chainId: string): string {
  const hex = chainId.slice(chainId.indexOf(':') + 1)
  if (!/^[0-9a-f]{64}$/.test(hex)) throw new RangeError(`not a sha256 chain id: ${chainId}`)
  return hex.slice(0, 24)
}
