/** The dispatch protocol's states and their ranks: a job only ever moves to a higher rank. */
export const JOB_STATES = [
  "CREATED",
  "SUBMITTING",
  "QUEUED",
  "RUNNING",
  "SUCCEEDED",
  "FAILED",
  "CANCELLED",
  "TIMED_OUT",
  "LOST",
] as const;

export type JobState = (typeof JOB_STATES)[number];

export const TERMINAL_RANK = 4;

export const RANK: Record<JobState, number> = {
  CREATED: 0,
  SUBMITTING: 1,
  QUEUED: 2,
  RUNNING: 3,
  SUCCEEDED: TERMINAL_RANK,
  FAILED: TERMINAL_RANK,
  CANCELLED: TERMINAL_RANK,
  TIMED_OUT: TERMINAL_RANK,
  LOST: TERMINAL_RANK,
};

export const isTerminal = (state: string) => RANK[state as JobState] === TERMINAL_RANK;

/** The per-step metric names a runner reports (spec §4's three rewards and their clipped total). */
export const METRIC_NAMES = [
  "reward/productivity",
  "reward/proactivity",
  "reward/personalization",
  "reward/total",
] as const;
