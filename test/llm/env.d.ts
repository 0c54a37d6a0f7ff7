// A script file (no import/export), so both declarations below are global: the binding added by
// vitest.config.ts, and types for the plain-JS mock server it starts.

declare namespace Cloudflare {
  interface Env {
    /** Base URL (ending in /v1) of the mock chat-completions server, test/support/llm-server.mjs. */
    TEST_LLM_URL?: string;
  }
}

declare module "*/support/llm-server.mjs" {
  export function startLlmServer(): Promise<{ url: string; close: () => Promise<void> }>;
}
