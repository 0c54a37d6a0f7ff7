export interface LocalRunnerOptions {
  port?: number;
  host?: string;
  /** exec (default): run entrypoints as processes; manual: run nothing (tests set each job's status). */
  mode?: "exec" | "manual";
  /** false = mode "manual" (the test double of vitest.config.ts). */
  autoRun?: boolean;
  /** @deprecated ignored: jobs sign with the per-job secret they get from the credentials exchange. */
  secrets?: string[];
  /** Bearer token required on every Ray / runner-protocol request (RAY_JOBS_TOKEN). */
  token?: string;
  /** The command HTTP-protocol jobs run (Ray jobs bring their own). */
  entrypoint?: string;
  /** Added to the runner's environment for every job (runtime_env.env_vars still win). */
  env?: Record<string, string>;
  cwd?: string;
  /** SIGTERM → SIGKILL grace (Ray's RAY_JOB_STOP_WAIT_TIME_S, default 3). */
  stopWaitSeconds?: number;
  /** How long a job stays PENDING before its process starts (Ray: the supervisor actor's start-up). */
  startDelayMs?: number;
  /** Where job-driver-{id}.log files go (default: a fresh temporary folder). */
  logDir?: string;
  log?: (line: string) => void;
}

export interface LocalRunner {
  url: string;
  jobs: Map<string, Record<string, unknown>>;
  logDir: string;
  mode: "exec" | "manual";
  close(): Promise<void>;
}

export function startLocalRunner(options?: LocalRunnerOptions): Promise<LocalRunner>;
export function tailLines(text: string, lines?: number, maxChars?: number): string;
