/** Whether a process with this pid exists (a process of another user counts: signalling it is EPERM, not ESRCH). */
export function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}
