import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The end-to-end tests load the bundle that `cdk synth` writes to cdk.out.
    globalSetup: ['test/support/synth.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
