import { defineConfig } from 'vitest/config';

// Tests run against package sources (the `kindling-source` export condition),
// so a change is tested without a rebuild; `pnpm build` checks the emitted packages.
export default defineConfig({
  resolve: { conditions: ['kindling-source'] },
  ssr: { resolve: { conditions: ['kindling-source'] } },
  test: {
    include: ['packages/*/test/**/*.test.ts', 'apps/*/test/**/*.test.ts', 'tools/test/**/*.test.ts', 'examples/test/**/*.test.ts'],
    testTimeout: 60_000,
    pool: 'forks',
    execArgv: ['--expose-gc'],
    // Test files run two at a time on the 2-core CI machine: matmul worker threads (which spin
    // between products) would only fight over the cores. Thread tests set their own counts.
    env: { KINDLING_CPU_THREADS: '1' },
  },
});
