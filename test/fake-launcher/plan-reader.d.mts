/** How many argument tokens each opcode takes (`overlay` and `argv` carry a count). */
export const ARITY: Record<string, number | 'counted' | 'target, then counted'>
/** The records of a plan body (without its 4-byte length); throws what the launcher refuses. */
export function parsePlan(body: Buffer): { op: string; args: string[] }[]
