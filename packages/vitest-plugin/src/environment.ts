/** Placeholder until the plugin lands (issue 3). */
export default {
  name: 'container',
  viteEnvironment: 'ssr',
  setup() {
    throw new Error('environment "container" needs the container() plugin from vitest-environment-container/plugin')
  },
}
