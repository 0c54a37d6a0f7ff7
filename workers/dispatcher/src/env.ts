import type { TrainingQueue } from "../../../src/queue/contract";

export interface DispatcherEnv {
  DB: D1Database;
  TRAINING_QUEUE: TrainingQueue;
  /** Ray dashboard base URL (Ray Jobs REST API), e.g. http://head:8265. */
  RAY_JOBS_URL?: string;
  RAY_JOBS_TOKEN?: string;
  /** The command Ray runs for a job (default `python -m userville.train`); its context is in runtime_env.env_vars. */
  RAY_ENTRYPOINT?: string;
  /** A runner speaking docs/runner-protocol.md. */
  RUNNER_HTTP_URL?: string;
  RUNNER_HTTP_TOKEN?: string;
  /** The operator's runner secret(s): each job's token and callback secret are derived from the first. */
  RUNNER_WEBHOOK_SECRET?: string;
  /** The API's public base URL: runners call back to {it}/v1/training/jobs/{id}/events. */
  TRAINING_CALLBACK_URL?: string;
}
