import { defineConfig } from "vitest/config";

// End-to-end tests: real processes (npm start → wrangler dev → workerd) talked to over loopback HTTP.
export default defineConfig({
  test: {
    include: ["test/e2e/**/*.e2e.test.ts"],
    environment: "node",
    testTimeout: 180_000,
    hookTimeout: 180_000,
    fileParallelism: false,
  },
});
