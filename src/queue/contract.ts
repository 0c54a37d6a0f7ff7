/**
 * The training queue's contract, shared by the producer (the API) and the consumer (the dispatcher).
 * Messages carry ids only; everything else is read from D1 when the message is handled.
 */
import { z } from "zod";

export const TRAINING_QUEUE = "userville-training";
export const TRAINING_DLQ = "userville-training-dlq";

export const TrainingMessage = z.strictObject({
  /** dispatch: submit the job to its runner. poll: read the runner's status (and stop it, if cancelled). */
  kind: z.enum(["dispatch", "poll"]),
  job_id: z.string().min(1).max(64),
  /** For polls: the position in the poll chain, which sets the next delay (15 s, 30 s, 60 s, … capped). */
  attempt: z.number().int().min(0).max(1000).optional(),
});

export type TrainingMessage = z.infer<typeof TrainingMessage>;

/** The producer side, as both workers bind it (wrangler.toml [[queues.producers]] TRAINING_QUEUE). */
export type TrainingQueue = Queue<TrainingMessage>;
