import json
import os
import shutil
import subprocess
import tempfile
import unittest
from pathlib import Path

from userville import webhooks
from userville.webhooks import WebhookVerificationError

ROOT = Path(__file__).resolve().parents[3]
SECRET_A = "whsec_dXNlcnZpbGxlLXB5dGhvbi12ZWN0b3Itc2VjcmV0LWE="
SECRET_B = "whsec_cm90YXRlZC1zZWNvbmQta2V5LWZvci10aGUtdGVzdA=="
BODY = '{"type":"progress","step":3,"metrics":{"reward/total":0.61}}'
TS = 1767225600
# Produced by src/lib/standard-webhooks.ts signWebhook("msg_2f1c", BODY, [SECRET_A, SECRET_B], TS).
TS_SIGNATURE = (
    "v1,XEYEr94IdzW41fH9VzxuBijSeJIk9YhZQj/smKJnlzA= v1,Y5fyGmAshHclc7eMrjP34m6PoqIgZOEo03UB3QSaNHA="
)

SCRIPT = """
import { timingSafeEqual } from "node:crypto";
// workerd adds timingSafeEqual to crypto.subtle; node keeps it in node:crypto.
crypto.subtle.timingSafeEqual ??= (a, b) => timingSafeEqual(a, b);
const { signWebhook, verifyWebhook } = await import(%s);
const input = JSON.parse(process.argv[2]);
const out = {};
if (input.sign) out.signed = await signWebhook(input.sign.id, input.sign.body, input.sign.secrets, input.sign.timestamp);
if (input.verify) out.verified = await verifyWebhook(input.verify.headers, input.verify.body, input.verify.secrets, input.verify.now);
console.log(JSON.stringify(out));
"""


def run_ts(payload: dict) -> dict:
    """Runs the service's own signer/verifier (src/lib/standard-webhooks.ts) through tsx."""
    tsx = ROOT / "node_modules" / ".bin" / "tsx"
    if not tsx.exists() or not shutil.which("node"):
        raise AssertionError("node and node_modules/.bin/tsx are needed: run npm ci at the repo root")
    with tempfile.TemporaryDirectory() as tmp:
        script = Path(tmp) / "vector.mts"
        script.write_text(SCRIPT % json.dumps(str(ROOT / "src" / "lib" / "standard-webhooks.ts")))
        out = subprocess.run(
            [str(tsx), str(script), json.dumps(payload)],
            capture_output=True, text=True, timeout=120, cwd=ROOT, env={**os.environ, "NODE_NO_WARNINGS": "1"},
        )
    if out.returncode != 0:
        raise AssertionError(f"tsx failed: {out.stderr}")
    return json.loads(out.stdout.strip().splitlines()[-1])


class KnownVector(unittest.TestCase):
    def test_sign_matches_the_service_signer(self):
        headers = webhooks.sign(f"{SECRET_A} {SECRET_B}", "msg_2f1c", BODY, timestamp=TS)
        self.assertEqual(headers["webhook-signature"], TS_SIGNATURE)
        self.assertEqual(headers["webhook-timestamp"], str(TS))
        self.assertEqual(headers["webhook-id"], "msg_2f1c")

    def test_verify_accepts_the_service_vector_with_either_secret(self):
        headers = {"webhook-id": "msg_2f1c", "webhook-timestamp": str(TS), "webhook-signature": TS_SIGNATURE}
        webhooks.verify(SECRET_A, headers, BODY, now=TS + 10)
        webhooks.verify([SECRET_B], headers, BODY.encode(), now=TS - 10)
        raw_b64 = SECRET_A[len("whsec_"):]
        webhooks.verify(raw_b64, headers, BODY, now=TS)

    def test_verify_rejects(self):
        good = webhooks.sign(SECRET_A, "msg_1", BODY, timestamp=TS)
        cases = {
            "no signature matches": (good, BODY + " ", SECRET_A, TS),
            "wrong secret": (good, BODY, SECRET_B, TS),
            "timestamp outside the tolerance": (good, BODY, SECRET_A, TS + 301),
            "missing webhook-* headers": ({**good, "webhook-id": ""}, BODY, SECRET_A, TS),
            "no v1 signature": ({**good, "webhook-signature": "v2,abc"}, BODY, SECRET_A, TS),
            "malformed webhook-timestamp": ({**good, "webhook-timestamp": "12a"}, BODY, SECRET_A, TS),
        }
        for label, (headers, body, secret, now) in cases.items():
            with self.subTest(label), self.assertRaises(WebhookVerificationError) as ctx:
                webhooks.verify(secret, headers, body, now=now)
            self.assertIn(label.split(" (")[0] if label != "wrong secret" else "no signature", str(ctx.exception))

    def test_header_names_are_case_insensitive_and_bad_secrets_skipped(self):
        h = webhooks.sign(SECRET_B, "msg_x", "", timestamp=TS)
        webhooks.verify(["whsec_!!notbase64", SECRET_B], {k.upper(): v for k, v in h.items()}, "", now=TS)


class AgainstTheServiceCode(unittest.TestCase):
    """Runs the TypeScript module the API uses: Python-signed verifies there, TS-signed verifies here."""

    def test_round_trip_both_ways(self):
        now = 1_800_000_000
        body = json.dumps({"type": "succeeded", "message": "é ✓ unicode", "result": {"steps": 2}})
        py_headers = webhooks.sign(SECRET_A, "msg_py", body, timestamp=now)
        out = run_ts({
            "sign": {"id": "msg_ts", "body": body, "secrets": [SECRET_B], "timestamp": now},
            "verify": {
                "headers": {"id": py_headers["webhook-id"], "timestamp": py_headers["webhook-timestamp"],
                            "signature": py_headers["webhook-signature"]},
                "body": body, "secrets": [SECRET_B, SECRET_A], "now": now,
            },
        })
        self.assertEqual(out["verified"], {"ok": True})
        webhooks.verify(f"{SECRET_A} {SECRET_B}", out["signed"], body, now=now)
        with self.assertRaises(WebhookVerificationError):
            webhooks.verify(SECRET_A, out["signed"], body, now=now)

    def test_ts_rejects_a_python_signature_over_another_body(self):
        now = 1_800_000_000
        h = webhooks.sign(SECRET_A, "msg_py", "{}", timestamp=now)
        out = run_ts({"verify": {"headers": {"id": h["webhook-id"], "timestamp": h["webhook-timestamp"],
                                             "signature": h["webhook-signature"]},
                                 "body": "{ }", "secrets": [SECRET_A], "now": now}})
        self.assertEqual(out["verified"]["ok"], False)


if __name__ == "__main__":
    unittest.main()
