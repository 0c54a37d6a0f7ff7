import path from "node:path";
import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-pool-workers";
import { defineConfig } from "vitest/config";
import { startLocalRunner } from "./scripts/lib/local-runner.mjs";
import { startLlmServer } from "./test/support/llm-server.mjs";

/** The Standard Webhooks secret of the test runner (whsec_ + base64). */
export const TEST_RUNNER_SECRET = "whsec_dXNlcnZpbGxlLXRlc3QtcnVubmVyLXNlY3JldC0wMTIzNDU2Nzg5";

export default defineConfig(async () => {
  const migrations = await readD1Migrations(path.join(import.meta.dirname, "migrations"));
  // A real OpenAI-compatible mock on loopback for the llm engine tests (test/support/llm-server.mjs).
  const llmServer = await startLlmServer();
  // The local runner as a Ray Jobs test double: no automatic training, replies scripted per job (/__script).
  const rayServer = await startLocalRunner({ autoRun: false });
  return {
    plugins: [
      cloudflareTest({
        wrangler: { configPath: "./wrangler.toml" },
        miniflare: {
          bindings: {
            TEST_MIGRATIONS: migrations,
            // Over wrangler.toml's "production": tests use development, as `npm start` does.
            ENVIRONMENT: "development",
            BOOTSTRAP_ADMIN_KEY: "uv_test_bootstrap_admin_key",
            TEST_LLM_URL: `${llmServer.url}/v1`,
            LEADERBOARD_SIGNING_KEY: "uv_test_leaderboard_signing_key",
            STRIPE_WEBHOOK_SECRET: "whsec_test_secret",
            TEST_RAY_URL: rayServer.url,
            RUNNER_WEBHOOK_SECRET: TEST_RUNNER_SECRET,
          },
          // Roomy for the suite (many requests per key); STRICT_LIMITER lets the rate-limit test hit the limit.
          ratelimits: {
            RATE_LIMITER: { simple: { limit: 100_000, period: 60 } },
            STRICT_LIMITER: { simple: { limit: 3, period: 60 } },
          },
        },
      }),
    ],
    test: {
      include: ["test/**/*.test.ts", "src/**/*.test.ts"],
      exclude: ["test/e2e/**"],
      setupFiles: ["./test/apply-migrations.ts"],
      testTimeout: 60_000,
    },
  };
});
