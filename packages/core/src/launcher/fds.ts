/**
 * The launcher's inherited fds after stdio: Node's IPC channel first when asked for (Node names it in
 * NODE_CHANNEL_FD, and the payload keeps it), then the control socket the plan and status records travel on.
 */
export function launcherFds(ipc: boolean): { ipcFd: number | null; controlFd: number } {
  return ipc ? { ipcFd: 3, controlFd: 4 } : { ipcFd: null, controlFd: 3 }
}
