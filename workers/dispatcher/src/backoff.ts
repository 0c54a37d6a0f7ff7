/** Queues accept delays up to 12 hours. */
const MAX_DELAY_SECONDS = 12 * 60 * 60;
export const RETRY_BASE_SECONDS = 5;
export const RETRY_CAP_SECONDS = 600;
export const POLL_FIRST_SECONDS = 15;
export const POLL_CAP_SECONDS = 300;

/**
 * Exponential backoff with "equal jitter" (half fixed, half random) for the n-th delivery (1-based):
 * 5 s, 10 s, 20 s, … capped, never shorter than the runner's Retry-After.
 */
export function retryDelaySeconds(attempt: number, retryAfterSeconds?: number, random = Math.random) {
  const ceiling = Math.min(RETRY_CAP_SECONDS, RETRY_BASE_SECONDS * 2 ** Math.max(0, attempt - 1));
  const jittered = Math.ceil(ceiling / 2 + random() * (ceiling / 2));
  return Math.min(MAX_DELAY_SECONDS, Math.max(jittered, Math.ceil(retryAfterSeconds ?? 0)));
}

/** The poll chain's n-th delay (0-based): 15 s, 30 s, 60 s, … capped at 5 minutes. */
export function pollDelaySeconds(attempt: number) {
  return Math.min(POLL_CAP_SECONDS, POLL_FIRST_SECONDS * 2 ** Math.min(attempt, 20));
}

/** `Retry-After` as delay-seconds or an HTTP date; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  if (!value) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim());
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - now) / 1000));
}
