import './test/setup/node20.js';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    environment: 'node',
    setupFiles: ['test/setup/node20.ts'],
    testTimeout: 120_000,
    hookTimeout: 300_000,
    // Two cores: one worker per core keeps heavy tfjs tests from starving each other.
    pool: 'forks',
    maxWorkers: 2,
    reporters: ['default', 'json'],
    outputFile: { json: '.cache/vitest-results.json' },
  },
});
