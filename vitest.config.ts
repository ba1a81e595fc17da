import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 20_000,
    hookTimeout: 20_000,
    // Servers bind real ports and SQLite files; two workers suit this 2-core machine.
    pool: "forks",
    maxWorkers: 2,
  },
});
