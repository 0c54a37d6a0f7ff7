/**
 * Standard Webhooks (standardwebhooks.com): `webhook-id`, `webhook-timestamp` (unix seconds) and
 * `webhook-signature: v1,<base64 HMAC-SHA256 of "id.timestamp.body">`, space-separated when several keys sign.
 * Secrets are `whsec_<base64 key>`; a space-separated list of secrets is accepted, for key rotation.
 */
const encoder = new TextEncoder();

export const WEBHOOK_TOLERANCE_SECONDS = 300;

function keyBytes(secret: string): Uint8Array {
  const b64 = secret.startsWith("whsec_") ? secret.slice("whsec_".length) : secret;
  return Uint8Array.from(atob(b64), (ch) => ch.charCodeAt(0));
}

async function hmac(key: Uint8Array, payload: string): Promise<Uint8Array> {
  const cryptoKey = await crypto.subtle.importKey("raw", key, { name: "HMAC", hash: "SHA-256" }, false, [
    "sign",
  ]);
  return new Uint8Array(await crypto.subtle.sign("HMAC", cryptoKey, encoder.encode(payload)));
}

const toBase64 = (bytes: Uint8Array) => btoa(String.fromCharCode(...bytes));

export const secretsOf = (value: string | undefined) => (value ?? "").split(/\s+/).filter(Boolean);

export interface WebhookHeaders {
  id: string | undefined;
  timestamp: string | undefined;
  signature: string | undefined;
}

export async function verifyWebhook(
  headers: WebhookHeaders,
  body: string,
  secrets: string[],
  nowSeconds = Math.floor(Date.now() / 1000),
): Promise<{ ok: true } | { ok: false; reason: string }> {
  const { id, timestamp, signature } = headers;
  if (!id || !timestamp || !signature) return { ok: false, reason: "missing webhook-* headers" };
  if (!/^\d{1,12}$/.test(timestamp)) return { ok: false, reason: "malformed webhook-timestamp" };
  if (Math.abs(nowSeconds - Number(timestamp)) > WEBHOOK_TOLERANCE_SECONDS)
    return { ok: false, reason: "timestamp outside the tolerance" };
  const given = signature
    .split(" ")
    .filter((s) => s.startsWith("v1,"))
    .map((s) => s.slice(3));
  if (given.length === 0) return { ok: false, reason: "no v1 signature" };
  for (const secret of secrets) {
    let key: Uint8Array;
    try {
      key = keyBytes(secret);
    } catch {
      continue;
    }
    const expected = encoder.encode(toBase64(await hmac(key, `${id}.${timestamp}.${body}`)));
    for (const candidate of given) {
      const bytes = encoder.encode(candidate);
      if (bytes.byteLength === expected.byteLength && crypto.subtle.timingSafeEqual(bytes, expected))
        return { ok: true };
    }
  }
  return { ok: false, reason: "no signature matches" };
}

/** The three headers a sender attaches; every secret in the list signs (rotation). */
export async function signWebhook(
  id: string,
  body: string,
  secrets: string[],
  timestamp = Math.floor(Date.now() / 1000),
): Promise<Record<string, string>> {
  const signatures = await Promise.all(
    secrets.map(async (s) => `v1,${toBase64(await hmac(keyBytes(s), `${id}.${timestamp}.${body}`))}`),
  );
  return {
    "webhook-id": id,
    "webhook-timestamp": String(timestamp),
    "webhook-signature": signatures.join(" "),
  };
}
