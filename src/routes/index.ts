import { Scalar } from "@scalar/hono-api-reference";
import { bodyLimit } from "hono/body-limit";
import { except } from "hono/combine";
import { newRootApp } from "../app";
import { LIMITS } from "../config";
import { ApiError } from "../errors";
import { requireAuth } from "../middleware/auth";
import { environmentGuard } from "../middleware/environment-guard";
import { idempotency } from "../middleware/idempotency";
import { jobScope } from "../middleware/job-scope";
import { jsonShape } from "../middleware/json-shape";
import { rateLimit } from "../middleware/rate-limit";
import { benchmarksApp } from "./benchmarks";
import { billingApp } from "./billing";
import { health } from "./health";
import { keys } from "./keys";
import { leaderboardPages } from "./leaderboard-pages";
import { leaderboardsApp } from "./leaderboards";
import { preferences } from "./preferences";
import { runsApp } from "./runs";
import { score } from "./score";
import { sessionsApp } from "./sessions";
import { tasksApp } from "./tasks";
import { trainingApp } from "./training";
import { RUNNER_PATH } from "./training/runner-callbacks";
import { vaguenizeApp } from "./vaguenize";

/** Stripe authenticates the webhook by its signature, not an API key. */
const WEBHOOK_PATH = "/v1/billing/webhook";
/** Signed callers (Stripe, training runners) skip the API-key middleware. */
const isSigned = (path: string) => path === WEBHOOK_PATH || RUNNER_PATH.test(path);
/** Routes that take a batch of trajectories. */
const BATCH_PATHS = new Set(["/v1/score/batch", "/v1/training/jobs"]);

const tooLarge = (limit: number) => () => {
  throw new ApiError("payload_too_large", `The body may be at most ${limit} bytes on this route.`);
};

// Built once: the limits do not change per request.
const batchBodyLimit = bodyLimit({
  maxSize: LIMITS.batchBodyBytes,
  onError: tooLarge(LIMITS.batchBodyBytes),
});
const bodyLimitDefault = bodyLimit({ maxSize: LIMITS.bodyBytes, onError: tooLarge(LIMITS.bodyBytes) });

export function buildApp() {
  const app = newRootApp();
  app.use("*", environmentGuard);
  app.openAPIRegistry.registerComponent("securitySchemes", "bearerAuth", {
    type: "http",
    scheme: "bearer",
    description: "An API key: `uv_live_…`, or BOOTSTRAP_ADMIN_KEY.",
  });
  app.use("/v1/*", (c, next) => (BATCH_PATHS.has(c.req.path) ? batchBodyLimit : bodyLimitDefault)(c, next));
  app.use(
    "/v1/*",
    except((c) => isSigned(c.req.path), requireAuth, jobScope, rateLimit, jsonShape, idempotency),
  );
  // Signed callers get the same structural check of the body, before their signature is verified.
  app.use(
    "/v1/*",
    except((c) => !isSigned(c.req.path), jsonShape),
  );

  app.route("/", health);
  app.route("/v1/preferences", preferences);
  app.route("/v1/keys", keys);
  app.route("/v1", billingApp);
  app.route("/v1/score", score);
  app.route("/v1/tasks", tasksApp);
  app.route("/v1/sessions", sessionsApp);
  app.route("/v1/vaguenize", vaguenizeApp);
  app.route("/v1/benchmarks", benchmarksApp);
  app.route("/v1/runs", runsApp);
  app.route("/v1/leaderboards", leaderboardsApp);
  app.route("/v1/training/jobs", trainingApp);
  app.route("/leaderboard", leaderboardPages);

  app.doc31("/openapi.json", {
    openapi: "3.1.0",
    info: {
      title: "UserVille API",
      version: "0.1.0",
      description:
        "UserVille (Sun et al., 2025) as a service: vaguenize prompts, simulate users, and score agent " +
        "trajectories with the productivity, proactivity and personalization (PPP) rewards. Every error answers " +
        '`{"error": {"code", "message", "request_id", "details"?}}`.',
    },
    servers: [{ url: "/" }],
  });
  app.get("/docs", Scalar({ url: "/openapi.json", pageTitle: "UserVille API reference" }));
  return app;
}
