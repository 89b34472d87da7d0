// The entry of a container file's worker, run by Node inside the container. Mirrors Vitest's own forks
// worker (vitest/worker), over the IPC channel the launcher keeps open on fd 3.
import { init, runBaseTests, setupEnvironment } from 'vitest/worker'

if (!process.send) throw new Error('the container worker must be started with an IPC channel (by the container pool)')
const send = process.send.bind(process)
const on = process.on.bind(process)
const off = process.off.bind(process)
const exit = process.exit.bind(process)

// The main process is gone (or closed the channel): nothing to report to, so leave at once.
const onError = (error: NodeJS.ErrnoException) => {
  if (error?.code === 'EPIPE' || error?.code === 'ERR_IPC_CHANNEL_CLOSED') exit(1)
}
const onDisconnect = () => exit(1)
on('error', onError)
on('disconnect', onDisconnect)

type State = Parameters<typeof runBaseTests>[1]
type Traces = Parameters<typeof runBaseTests>[2]

async function execute(method: 'run' | 'collect', state: State, traces: Traces): Promise<void> {
  try {
    await runBaseTests(method, state, traces)
  } finally {
    process.exit = exit // the module runner replaces it with a throwing stub
  }
}

init({
  post: (message) => send(message),
  on: (callback) => on('message', callback),
  off: (callback) => off('message', callback),
  teardown: () => {
    process.removeAllListeners('message')
    off('error', onError)
    off('disconnect', onDisconnect)
    process.exit = exit
  },
  runTests: (state, traces) => execute('run', state, traces),
  collectTests: (state, traces) => execute('collect', state, traces),
  setup: setupEnvironment,
})
