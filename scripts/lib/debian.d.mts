/** Installs the missing Debian packages; null when all are there, else why they are not. */
export function ensureDebianPackages(packages: string[]): string | null
