import type { D1Migration } from "cloudflare:test";
import type { Bindings } from "../src/env";

declare global {
  namespace Cloudflare {
    interface Env extends Bindings {
      TEST_MIGRATIONS: D1Migration[];
      STRICT_LIMITER: RateLimit;
      /** The local runner (scripts/lib/local-runner.mjs) on loopback, as a Ray Jobs test double. */
      TEST_RAY_URL: string;
    }
    interface GlobalProps {
      mainModule: typeof import("../src/index");
    }
  }
}
