import type { TrainingQueue } from "../../../src/queue/contract";

export interface DispatcherEnv {
  DB: D1Database;
  TRAINING_QUEUE: TrainingQueue;
  /** Ray dashboard base URL (Ray Jobs REST API), e.g. http://head:8265. */
  RAY_JOBS_URL?: string;
  RAY_JOBS_TOKEN?: string;
  /** The command Ray runs for a job; it reads its data from metadata.ppp_payload_url. */
  RAY_ENTRYPOINT?: string;
  /** A runner speaking docs/runner-protocol.md. */
  RUNNER_HTTP_URL?: string;
  RUNNER_HTTP_TOKEN?: string;
  /** The API's public base URL: runners call back to {it}/v1/training/jobs/{id}/events. */
  TRAINING_CALLBACK_URL?: string;
}
