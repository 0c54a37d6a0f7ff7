/**
 * Per-job secrets for the runner channel, derived with HKDF-SHA256 (RFC 5869) from the operator's runner
 * secret and the job id. Nothing per job is stored: the API and the dispatcher derive the same values.
 *
 * - the job token (`uvjt_…`): travels to the runner in the job's environment, and is exchanged once for the
 *   job's credentials (POST /v1/training/jobs/{id}/credentials);
 * - the callback secret (`whsec_…`): signs that job's callbacks and payload reads, and no other job's.
 *
 * The operator's secret itself never leaves the service. Shared by the API worker and the dispatcher.
 */
import { secretsOf } from "../lib/standard-webhooks";

const encoder = new TextEncoder();
const SALT = encoder.encode("userville-runner-channel-v1");

type Purpose = "job-token" | "callback-secret";

function secretBytes(secret: string): Uint8Array {
  const b64 = secret.startsWith("whsec_") ? secret.slice("whsec_".length) : secret;
  try {
    return Uint8Array.from(atob(b64), (ch) => ch.charCodeAt(0));
  } catch {
    return encoder.encode(secret);
  }
}

async function derive(secret: string, purpose: Purpose, jobId: string): Promise<Uint8Array> {
  const key = await crypto.subtle.importKey("raw", secretBytes(secret), "HKDF", false, ["deriveBits"]);
  const bits = await crypto.subtle.deriveBits(
    { name: "HKDF", hash: "SHA-256", salt: SALT, info: encoder.encode(`${purpose}\0${jobId}`) },
    key,
    256,
  );
  return new Uint8Array(bits);
}

const base64 = (bytes: Uint8Array) => btoa(String.fromCharCode(...bytes));
const base64url = (bytes: Uint8Array) =>
  base64(bytes).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");

/** The runner secrets configured (RUNNER_WEBHOOK_SECRET, space-separated for rotation): the first one issues. */
export const runnerSecretsOf = (value: string | undefined) => secretsOf(value);

export async function jobToken(runnerSecret: string, jobId: string) {
  return `uvjt_${base64url(await derive(runnerSecret, "job-token", jobId))}`;
}

export async function jobCallbackSecret(runnerSecret: string, jobId: string) {
  return `whsec_${base64(await derive(runnerSecret, "callback-secret", jobId))}`;
}

/** The callback secrets that verify for a job: one per configured runner secret (rotation). */
export async function jobCallbackSecrets(runnerSecrets: string[], jobId: string) {
  return Promise.all(runnerSecrets.map((s) => jobCallbackSecret(s, jobId)));
}

/** True when `token` is this job's token under any configured runner secret; compared in constant time. */
export async function isJobToken(runnerSecrets: string[], jobId: string, token: string) {
  const given = encoder.encode(token);
  let ok = false;
  for (const secret of runnerSecrets) {
    const expected = encoder.encode(await jobToken(secret, jobId));
    if (expected.byteLength === given.byteLength && crypto.subtle.timingSafeEqual(expected, given)) ok = true;
  }
  return ok;
}
