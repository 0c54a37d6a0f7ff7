import type { DispatcherEnv } from "../env";
import { httpAdapter } from "./http";
import { rayAdapter } from "./ray";
import type { RunnerAdapter } from "./types";

/** The adapter for a job's runner, or null when this deployment has no URL for it. */
export function adapterFor(runner: string, env: DispatcherEnv): RunnerAdapter | null {
  if (runner === "ray" && env.RAY_JOBS_URL)
    return rayAdapter(
      env.RAY_JOBS_URL,
      env.RAY_JOBS_TOKEN,
      env.RAY_ENTRYPOINT || "python -m userville.train",
    );
  if (runner === "http" && env.RUNNER_HTTP_URL)
    return httpAdapter(env.RUNNER_HTTP_URL, env.RUNNER_HTTP_TOKEN);
  return null;
}
