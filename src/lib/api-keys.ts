import { crc32, randomBase62, toBase62 } from "./crypto";

/**
 * Key format, after GitHub's tokens: `uv_live_` + 32 random base62 chars + a 6-char base62 CRC-32 of the
 * prefix and body. The checksum lets us refuse a mistyped key before touching the database.
 */
export const KEY_PREFIXES = ["uv_live_", "uv_test_"] as const;
export type KeyMode = "live" | "test";
const BODY_LENGTH = 32;
const CHECKSUM_LENGTH = 6;
const KEY_PATTERN = /^uv_(live|test)_[0-9A-Za-z]{38}$/;

function checksum(prefixAndBody: string): string {
  return toBase62(crc32(prefixAndBody), CHECKSUM_LENGTH);
}

export function generateApiKey(mode: KeyMode = "live"): string {
  const prefixAndBody = `uv_${mode}_${randomBase62(BODY_LENGTH)}`;
  return prefixAndBody + checksum(prefixAndBody);
}

/** True when the key has our shape and its checksum matches. */
export function isWellFormedApiKey(key: string): boolean {
  if (!KEY_PATTERN.test(key)) return false;
  const cut = key.length - CHECKSUM_LENGTH;
  return checksum(key.slice(0, cut)) === key.slice(cut);
}

/** What we keep in clear to let people recognise a key in listings. */
export function visiblePrefix(key: string): string {
  return key.slice(0, 12);
}
