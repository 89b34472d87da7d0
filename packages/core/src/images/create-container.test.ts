import { describe, expect, it } from 'vitest'
import { DEFAULT_PATH, imageEnvironment } from './create-container.js'

describe('imageEnvironment', () => {
  it('drops host-only variables, applies the image Env, then explicit env', () => {
    const env = imageEnvironment(
      { HOME: '/root', PATH: '/host/bin', LD_PRELOAD: '/host/x.so', NODE_OPTIONS: '-r /host/y', NODE_ENV: 'test' },
      ['PATH=/image/bin', 'LANG=C.UTF-8'],
      { NODE_OPTIONS: '--no-warnings' },
    )
    expect(env).toEqual({ HOME: '/root', PATH: '/image/bin', LANG: 'C.UTF-8', NODE_ENV: 'test', NODE_OPTIONS: '--no-warnings' })
  })

  it("gives an image without PATH Docker's default", () => {
    expect(imageEnvironment({ PATH: '/host/bin' }, [], {}).PATH).toBe(DEFAULT_PATH)
  })
})
