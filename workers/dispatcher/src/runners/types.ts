import { parseRetryAfter } from "../backoff";

/** What the runner says about a job, in Ray's vocabulary (the HTTP protocol maps onto it). */
export type RunnerStatus = "PENDING" | "RUNNING" | "SUCCEEDED" | "FAILED" | "STOPPED";

export interface RunnerJob {
  status: RunnerStatus;
  message: string | null;
}

export interface SubmitSpec {
  /** Our idempotency key on the runner: `ppp-<job id>`. */
  submissionId: string;
  jobId: string;
  kind: string;
  target: string | null;
  callbackUrl: string;
  payloadUrl: string;
  summary: Record<string, unknown>;
  /** The job's context for the trainer process (USERVILLE_JOB_ID, USERVILLE_API_URL, USERVILLE_JOB_TOKEN). */
  env: Record<string, string>;
}

/** One interface over Ray Jobs and our own HTTP runner protocol. */
export interface RunnerAdapter {
  /** Submits once; a submission id the runner already knows is looked up, never submitted again. */
  submit(spec: SubmitSpec): Promise<{ runnerJobId: string }>;
  /** null when the runner does not know the job (404). */
  status(runnerJobId: string): Promise<RunnerJob | null>;
  stop(runnerJobId: string): Promise<void>;
  /** The job's log (stdout + stderr), or null when the runner keeps none; read when a job FAILED. */
  logs(runnerJobId: string): Promise<string | null>;
}

/**
 * retryable: network errors, 408/425/429 and 5xx (with the runner's Retry-After, if any). fatal: every other
 * 4xx — the request itself is wrong (400/401/403/422) and sending it again cannot help.
 */
export class RunnerError extends Error {
  constructor(
    readonly kind: "retryable" | "fatal",
    message: string,
    readonly retryAfterSeconds?: number,
    /** The runner's answer, whole (up to MAX_ERROR_BODY characters), for adapters that read it. */
    readonly body?: string,
  ) {
    super(message);
  }
}

const RETRYABLE_4XX = new Set([408, 425, 429]);
export const REQUEST_TIMEOUT_MS = 15_000;
const MAX_ERROR_BODY = 64 * 1024;

/**
 * The line of a runner's error body worth keeping. Ray answers with Python tracebacks, and its head wraps the
 * agent's in `RuntimeError: Request failed with status code 400: <traceback>.`, so the body's last line is a
 * lone "." — the last `SomeError: message` line says what happened; otherwise the last line with words.
 */
export function errorLine(text: string): string {
  const lines = text.split("\n").map((l) => l.trim());
  const exception = lines.findLast((l) => /^[A-Za-z_][\w.]*(Error|Exception|Exit|Interrupt)\b:?/.test(l));
  return (exception ?? lines.findLast((l) => /\w/.test(l)) ?? "").slice(0, 1000);
}

export async function errorFrom(res: Response, what: string): Promise<RunnerError> {
  const text = (await res.text().catch(() => "")).slice(0, MAX_ERROR_BODY);
  const line = errorLine(text);
  const message = `${what}: runner answered ${res.status}${line ? `: ${line}` : ""}`;
  if (res.status >= 500 || RETRYABLE_4XX.has(res.status))
    return new RunnerError("retryable", message, parseRetryAfter(res.headers.get("Retry-After")), text);
  return new RunnerError("fatal", message, undefined, text);
}

/** fetch with a timeout; a network failure or timeout becomes a retryable RunnerError that names the runner. */
export async function runnerFetch(url: string, init: RequestInit, what: string): Promise<Response> {
  try {
    return await fetch(url, { ...init, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
  } catch (err) {
    const cause = err instanceof Error && err.cause ? ` (${String(err.cause)})` : "";
    throw new RunnerError(
      "retryable",
      `${what}: cannot reach the runner at ${new URL(url).origin}: ${String(err)}${cause}`,
    );
  }
}
