import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The end-to-end tests load the bundle that `cdk synth` writes to cdk.out.
    globalSetup: ['test/support/synth.ts'],
    // Several tests synthesize whole stacks (esbuild and cdk-nag included); on a two-core machine that
    // shares its cores with other work one such test can take most of a minute.
    testTimeout: 120_000,
    hookTimeout: 180_000,
  },
});
