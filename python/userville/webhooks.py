"""Standard Webhooks (standardwebhooks.com), the scheme the API checks on runner callbacks.

Headers `webhook-id`, `webhook-timestamp` (unix seconds) and `webhook-signature: v1,<base64 HMAC-SHA256 of
"id.timestamp.body">` (space-separated when several keys sign). A secret is `whsec_<base64 key>` or the bare
base64 key; several space-separated secrets are accepted, for rotation. Same rules as src/lib/standard-webhooks.ts.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import time
from collections.abc import Mapping

TOLERANCE_SECONDS = 300


class WebhookVerificationError(Exception):
    """The headers or the signature do not verify; the message says why."""


def _key(secret: str) -> bytes:
    raw = secret[len("whsec_") :] if secret.startswith("whsec_") else secret
    return base64.b64decode(raw, validate=True)


def _secrets(secrets: str | list[str]) -> list[str]:
    items = secrets.split() if isinstance(secrets, str) else [part for s in secrets for part in s.split()]
    return [s for s in items if s]


def _as_text(body: str | bytes) -> bytes:
    return body if isinstance(body, bytes) else body.encode("utf-8")


def _signature(key: bytes, msg_id: str, timestamp: int | str, body: bytes) -> str:
    digest = hmac.new(key, f"{msg_id}.{timestamp}.".encode() + body, hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


def sign(secret: str, msg_id: str, body: str | bytes, timestamp: int | None = None) -> dict[str, str]:
    """The three `webhook-*` headers for `body`; every secret in a space-separated `secret` signs."""
    ts = int(time.time()) if timestamp is None else int(timestamp)
    keys = [_key(s) for s in _secrets(secret)]
    if not keys:
        raise ValueError("no signing secret")
    data = _as_text(body)
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(ts),
        "webhook-signature": " ".join(f"v1,{_signature(k, msg_id, ts, data)}" for k in keys),
    }


def _header(headers: Mapping[str, str], name: str) -> str | None:
    value = headers.get(name)
    if value is None:
        lowered = {k.lower(): v for k, v in headers.items()}
        value = lowered.get(name)
    return value


def verify(
    secrets: str | list[str],
    headers: Mapping[str, str],
    body: str | bytes,
    tolerance: int = TOLERANCE_SECONDS,
    now: int | float | None = None,
) -> None:
    """Raises WebhookVerificationError unless one `v1,` signature matches one secret within the tolerance."""
    msg_id = _header(headers, "webhook-id")
    timestamp = _header(headers, "webhook-timestamp")
    signature = _header(headers, "webhook-signature")
    if not msg_id or not timestamp or not signature:
        raise WebhookVerificationError("missing webhook-* headers")
    if not timestamp.isdigit() or len(timestamp) > 12:
        raise WebhookVerificationError("malformed webhook-timestamp")
    current = time.time() if now is None else now
    if abs(current - int(timestamp)) > tolerance:
        raise WebhookVerificationError("timestamp outside the tolerance")
    given = [s[3:] for s in signature.split(" ") if s.startswith("v1,")]
    if not given:
        raise WebhookVerificationError("no v1 signature")
    data = _as_text(body)
    for secret in _secrets(secrets):
        try:
            key = _key(secret)
        except (binascii.Error, ValueError):
            continue
        expected = _signature(key, msg_id, timestamp, data).encode("ascii")
        if any(hmac.compare_digest(candidate.encode("ascii", "replace"), expected) for candidate in given):
            return
    raise WebhookVerificationError("no signature matches")
