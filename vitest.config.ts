import {defineConfig} from 'vitest/config'

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Integration and e2e tests talk to real servers and child processes.
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
  },
})
