/** Packs the packages and installs the Vitest 4.1 and 5.x e2e projects; returns their directory. */
export function prepareProjects(options?: { quiet?: boolean }): string
export const VERSIONS: Record<'v4' | 'v5', { vitest: string; extra: Record<string, string> }>
