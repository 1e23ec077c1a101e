// `npm run test:reliability`: the PRODUCT.md §7 properties with many more trials than CI runs.
// The same test files run in `npm test` with one trial each; RELIABILITY_TRIALS scales them here.
import {defineConfig} from 'vitest/config'

export default defineConfig({
  test: {
    include: [
      'test/reliability/**/*.test.ts',
      'test/integration/inference-path.test.ts',
      'test/integration/worker-redelivery.test.ts',
      'test/integration/broker-durability.test.ts',
      'test/integration/broker-robustness.test.ts',
      'test/integration/projector-crash.test.ts',
      'test/integration/replay-crash.test.ts',
      'test/integration/gateway-input.test.ts',
    ],
    testTimeout: 900_000,
    hookTimeout: 180_000,
    env: {RELIABILITY_TRIALS: process.env.RELIABILITY_TRIALS ?? '3'},
    pool: 'forks',
    // One file at a time: the trials are the load, and figures must not be skewed by each other.
    fileParallelism: false,
  },
})
