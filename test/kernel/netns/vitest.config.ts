import { defineConfig } from 'vitest/config';

// Suites that touch a real kernel's xfrm state. They only run inside a
// network namespace created for them by test/kernel/xfrm-netns.test.ts.
export default defineConfig({
  test: {
    include: ['test/kernel/netns/**/*.netns.ts'],
    testTimeout: 20_000,
    fileParallelism: false,
  },
});
