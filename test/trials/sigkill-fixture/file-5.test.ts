import { it } from 'vitest'
import { leaveProcessAndWork } from './leave-process.js'

it('leaves a process behind and works for a while', () => leaveProcessAndWork(500))
