/** Packs the packages, publishes them to a registry on 127.0.0.1 and installs the e2e projects; returns their directory. */
export function prepareProjects(options?: { quiet?: boolean }): Promise<string>
export function newestVitest5(): string
export function projectSpecs(latest5?: string): Record<string, import('./helpers.js').ProjectSpec>
