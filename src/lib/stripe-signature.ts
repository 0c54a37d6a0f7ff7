import { hmacSha256Hex } from "./signing";

const encoder = new TextEncoder();

export const STRIPE_TOLERANCE_SECONDS = 300;

/** Stripe's scheme: `Stripe-Signature: t=<unix>,v1=<hex HMAC-SHA256 of "t.body">[,v1=…]`, compared in constant time. */
export async function verifyStripeSignature(
  header: string | undefined,
  body: string,
  secret: string,
  nowSeconds = Math.floor(Date.now() / 1000),
): Promise<{ ok: true } | { ok: false; reason: string }> {
  if (!header) return { ok: false, reason: "missing Stripe-Signature header" };
  const parts = header.split(",").map((p) => p.trim().split("="));
  const t = parts.find(([k]) => k === "t")?.[1];
  const signatures = parts.filter(([k, v]) => k === "v1" && v).map(([, v]) => v);
  if (!t || !/^\d+$/.test(t) || signatures.length === 0)
    return { ok: false, reason: "malformed Stripe-Signature header" };
  if (Math.abs(nowSeconds - Number(t)) > STRIPE_TOLERANCE_SECONDS)
    return { ok: false, reason: "timestamp outside the tolerance" };
  const expected = encoder.encode(await hmacSha256Hex(secret, `${t}.${body}`));
  for (const candidate of signatures) {
    const given = encoder.encode(candidate);
    if (given.byteLength === expected.byteLength && crypto.subtle.timingSafeEqual(given, expected))
      return { ok: true };
  }
  return { ok: false, reason: "no signature matches" };
}

/** For tests and local tooling: the header Stripe would send. */
export async function signStripePayload(body: string, secret: string, t = Math.floor(Date.now() / 1000)) {
  return `t=${t},v1=${await hmacSha256Hex(secret, `${t}.${body}`)}`;
}
