import json
import time
import unittest

from userville import UserVilleError, webhooks
from userville.runner import RunnerChannel

from ._support import Recorded, Reply, ScriptedServer, envelope

SECRET = "whsec_dXNlcnZpbGxlLXJ1bm5lci11bml0LXNlY3JldA=="


class SignedServer(ScriptedServer):
    """Verifies every request like the API does; answers 401 on a bad signature, else the script."""

    def __init__(self, script: list[Reply]):
        self.queue = script
        super().__init__(self.answer)

    def answer(self, rec: Recorded) -> Reply:
        try:
            webhooks.verify(SECRET, rec.headers, rec.body)
        except webhooks.WebhookVerificationError as err:
            return Reply(401, envelope("unauthorized", str(err)))
        return self.queue.pop(0)


def channel(server: ScriptedServer, secret: str = SECRET) -> RunnerChannel:
    ch = RunnerChannel("job_1", f"{server.url}/v1/training/jobs/job_1/payload",
                       f"{server.url}/v1/training/jobs/job_1/events", secret)
    ch.transport.sleep = lambda s: None
    return ch


class Channel(unittest.TestCase):
    def test_send_keeps_its_webhook_id_across_retries_and_a_new_one_per_event(self):
        ok = {"received": True, "duplicate": False}
        with SignedServer([Reply(503, {}), Reply(429, {}, {"Retry-After": "0"}), Reply(200, ok), Reply(200, ok)]) as s:
            ch = channel(s)
            first = ch.send({"type": "progress", "step": 1, "metrics": {"reward/total": 0.5}})
            ch.send({"type": "succeeded", "result": {"steps": 1}})
        self.assertEqual(first, ok)
        ids = [r.headers["webhook-id"] for r in s.requests]
        self.assertEqual(len(set(ids[:3])), 1)
        self.assertNotEqual(ids[3], ids[0])
        self.assertTrue(all(i.startswith("msg_") and len(i) == 36 for i in ids))
        self.assertEqual(json.loads(s.requests[0].body)["metrics"], {"reward/total": 0.5})
        self.assertTrue(abs(int(s.requests[0].headers["webhook-timestamp"]) - time.time()) < 5)

    def test_payload_is_a_signed_get_with_a_fresh_id_each_time(self):
        payload = {"kind": "config", "config": {"task_ids": ["t"]}, "rows": []}
        with SignedServer([Reply(500, {}), Reply(200, payload), Reply(200, payload)]) as s:
            ch = channel(s)
            self.assertEqual(ch.payload(), payload)
            ch.payload()
        self.assertEqual([r.method for r in s.requests], ["GET"] * 3)
        self.assertEqual(len({r.headers["webhook-id"] for r in s.requests}), 3)
        self.assertTrue(all(r.body == b"" for r in s.requests))

    def test_another_secret_is_refused_without_retries(self):
        other = "whsec_YW5vdGhlci1qb2Itc2VjcmV0LXZhbHVl"
        with SignedServer([]) as s:
            with self.assertRaises(UserVilleError) as ctx:
                channel(s, other).send({"type": "started"})
        self.assertEqual((ctx.exception.status, len(s.requests)), (401, 1))
        self.assertIn("no signature matches", ctx.exception.message)
        self.assertNotIn(other, repr(channel(s, other)))


if __name__ == "__main__":
    unittest.main()
