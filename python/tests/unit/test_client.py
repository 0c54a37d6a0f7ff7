import json
import socket
import unittest

from userville import Client, UserVilleError
from userville.client import Transport, retry_after_seconds

from ._support import Reply, ScriptedServer, envelope

SCORE = {
    "reward": 0.55, "productivity": 1.0, "proactivity": -0.1, "personalization": -0.35,
    "metrics": {"proactive": True, "personalized": False, "asked": True, "questions": 2, "effort": "low"},
    "questions": [{"text": "Which file?", "effort": "low", "tier": "hint", "effort_source": "rules",
                   "compliant": False, "judge": "rule"}],
    "profile": "paper", "engine": "rules",
}


def client_for(server: ScriptedServer, **kwargs) -> tuple[Client, list[float]]:
    client = Client(server.url, "uv_test_key", **kwargs)
    slept: list[float] = []
    client.transport.sleep = slept.append
    return client, slept


class Retries(unittest.TestCase):
    def test_429_then_503_then_200_reuses_the_idempotency_key(self):
        script = [
            Reply(429, envelope("rate_limited", "slow down"), {"Retry-After": "2"}),
            Reply(503, envelope("llm_unavailable", "try later")),
            Reply(200, SCORE),
        ]
        with ScriptedServer(script) as server:
            client, slept = client_for(server)
            score = client.finish("ses_1", ["a.py::f"], task_score=1.0)
        self.assertEqual(len(server.requests), 3)
        keys = {r.headers["idempotency-key"] for r in server.requests}
        self.assertEqual(len(keys), 1)
        self.assertEqual(slept[0], 2.0)  # Retry-After wins
        self.assertTrue(0.5 <= slept[1] <= 1.0, slept)  # base 0.5 · 2**1, jittered to [50 %, 100 %]
        self.assertEqual(score.reward, 0.55)
        self.assertEqual(score.metrics["questions"], 2)
        self.assertEqual(score.raw["engine"], "rules")
        for r in server.requests:
            self.assertEqual(r.path, "/v1/sessions/ses_1/finish")
            self.assertEqual(r.headers["authorization"], "Bearer uv_test_key")
            self.assertEqual(json.loads(r.body), {"prediction": ["a.py::f"], "task_score": 1.0})

    def test_each_logical_call_gets_its_own_key_and_gets_carry_none(self):
        with ScriptedServer([Reply(200, {"answer": "A", "position": 1, "remaining": 3}),
                             Reply(200, {"answer": "B", "position": 2, "remaining": 2}),
                             Reply(200, {"id": "ses_1"})]) as server:
            client, _ = client_for(server)
            a = client.ask("ses_1", "Which file?")
            b = client.ask("ses_1", "Which function?")
            client.get_session("ses_1")
        self.assertEqual((a.answer, a.position, a.remaining, a.step_reward), ("A", 1, 3, None))
        self.assertEqual(b.answer, "B")
        k1, k2 = (r.headers["idempotency-key"] for r in server.requests[:2])
        self.assertNotEqual(k1, k2)
        self.assertNotIn("idempotency-key", server.requests[2].headers)
        self.assertEqual(server.requests[2].method, "GET")

    def test_retry_after_is_capped_and_backoff_grows(self):
        script = [Reply(503, b"upstream down")] * 4 + [Reply(429, {}, {"Retry-After": "3600"}), Reply(200, {})]
        with ScriptedServer(list(script)) as server:
            client, slept = client_for(server, max_retries=5)
            client.act("ses_1")
        self.assertEqual(len(server.requests), 6)
        self.assertEqual(slept[-1], 60.0)
        for attempt, delay in enumerate(slept[:4]):
            ceiling = min(20.0, 0.5 * 2**attempt)
            self.assertTrue(ceiling / 2 <= delay <= ceiling, (attempt, delay))

    def test_gives_up_after_max_retries_with_the_last_error(self):
        with ScriptedServer([Reply(502, b"<html>bad gateway</html>")] * 3) as server:
            client, slept = client_for(server, max_retries=2)
            with self.assertRaises(UserVilleError) as ctx:
                client.preferences()
        self.assertEqual(len(server.requests), 3)
        self.assertEqual(len(slept), 2)
        err = ctx.exception
        self.assertEqual((err.status, err.code), (502, "http_502"))
        self.assertIn("bad gateway", err.message)

    def test_4xx_is_not_retried_and_the_envelope_is_parsed(self):
        details = [{"path": "items.3.group", "message": "Required"}]
        with ScriptedServer([Reply(400, envelope("invalid_request", "bad item", "req_42", details=details))]) as s:
            client, slept = client_for(s)
            with self.assertRaises(UserVilleError) as ctx:
                client.score_batch([{"task_id": "t", "preference": "no_ask"}])
        self.assertEqual(len(s.requests), 1)
        self.assertEqual(slept, [])
        err = ctx.exception
        self.assertEqual((err.status, err.code, err.message, err.request_id), (400, "invalid_request", "bad item", "req_42"))
        self.assertEqual(err.details, details)
        self.assertEqual(json.loads(s.requests[0].body)["advantage"], "grpo")

    def test_network_errors_are_retried_then_raised_as_network_error(self):
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        client = Client(f"http://127.0.0.1:{port}", "k", max_retries=2, timeout=2)
        slept: list[float] = []
        client.transport.sleep = slept.append
        with self.assertRaises(UserVilleError) as ctx:
            client.create_session("task_x", "no_ask")
        self.assertEqual((ctx.exception.status, ctx.exception.code), (None, "network_error"))
        self.assertEqual(len(slept), 2)
        self.assertIn("3 attempts", ctx.exception.message)

    def test_retry_after_http_date(self):
        self.assertAlmostEqual(retry_after_seconds("Wed, 21 Oct 2015 07:28:30 GMT", now=1445412500.0), 10.0)
        self.assertIsNone(retry_after_seconds("soon"))
        self.assertEqual(Transport(backoff_base=1).delay(0, "7"), 7.0)


class Shapes(unittest.TestCase):
    def test_finish_without_a_reward_returns_none(self):
        with ScriptedServer([Reply(200, {"state": "finished"})]) as server:
            client, _ = client_for(server)
            self.assertIsNone(client.finish("ses_lb", "answer"))
        self.assertEqual(json.loads(server.requests[0].body), {"prediction": "answer"})

    def test_session_task_job_usage_and_batch_shapes(self):
        session = {"id": "ses_1", "task_id": "task_1", "prompt": "fix it", "max_questions": 4, "vague": True,
                   "preference": {"id": "no_ask", "description": "Do not ask."}, "profile": "paper",
                   "engine": "rules", "state": "open"}
        job = {"id": "job_1", "state": "RUNNING", "kind": "config", "error": None, "summary": {"rows": 13},
               "metrics": [{"step": 1, "reward/total": 0.4}], "result": None}
        script = [
            Reply(201, session),
            Reply(200, {"data": [{"id": "task_1", "family": "swe", "vague_prompt": "v", "created_at": "t"}],
                        "next_cursor": "c2"}),
            Reply(202, job),
            Reply(200, {"credits_remaining": 90, "by_route": {"session_finish": {"calls": 1}}, "by_day": []}),
            Reply(200, {"results": [{**SCORE, "advantage": 0.7, "group": "g"}], "summary": {"count": 1}}),
        ]
        with ScriptedServer(script) as server:
            client, _ = client_for(server)
            s = client.create_session("task_1", "no_ask", vague=False, profile="paper")
            page = client.list_tasks(limit=5, cursor="c1")
            j = client.create_training_job({"config": {"task_ids": ["task_1"]}})
            u = client.usage()
            batch = client.score_batch([{"task_id": "task_1", "preference": "no_ask", "group": "g"}], "dr_grpo")
        self.assertEqual((s.id, s.prompt, s.preference_id, s.preference_description, s.max_questions),
                         ("ses_1", "fix it", "no_ask", "Do not ask.", 4))
        self.assertEqual(json.loads(server.requests[0].body),
                         {"task_id": "task_1", "preference": "no_ask", "vague": False, "profile": "paper"})
        self.assertEqual(server.requests[1].path, "/v1/tasks?limit=5&cursor=c1")
        self.assertEqual((page.data[0].id, page.next_cursor), ("task_1", "c2"))
        self.assertEqual((j.id, j.state, j.metrics[0]["reward/total"], j.summary), ("job_1", "RUNNING", 0.4, {"rows": 13}))
        self.assertEqual((u.credits_remaining, u.by_route["session_finish"]["calls"]), (90, 1))
        self.assertEqual((batch.results[0].advantage, batch.summary["count"]), (0.7, 1))
        self.assertEqual(json.loads(server.requests[4].body)["advantage"], "dr_grpo")

    def test_path_segments_are_escaped(self):
        with ScriptedServer([Reply(200, {"id": "a/b", "family": "swe", "vague_prompt": "v"})]) as server:
            client, _ = client_for(server)
            client.get_task("a/b")
        self.assertEqual(server.requests[0].path, "/v1/tasks/a%2Fb")

    def test_from_env(self):
        import os
        from unittest import mock

        with mock.patch.dict(os.environ, {"USERVILLE_API_URL": "http://x:1/", "USERVILLE_API_KEY": "uv_k"}):
            c = Client.from_env()
        self.assertEqual((c.base_url, c.api_key), ("http://x:1", "uv_k"))
        with mock.patch.dict(os.environ, {"USERVILLE_API_URL": ""}), self.assertRaises(ValueError):
            Client.from_env()


class ExchangeJobToken(unittest.TestCase):
    def test_posts_the_token_without_authorization(self):
        creds = {"job_id": "job_1", "account_id": "acct_1", "api_key": "uv_job_secret", "callback_secret":
                 "whsec_c2VjcmV0", "payload_url": "http://h/v1/training/jobs/job_1/payload",
                 "events_url": "http://h/v1/training/jobs/job_1/events", "task_ids": ["task_1"],
                 "expires_at": "2026-01-01T00:00:00Z"}
        with ScriptedServer([Reply(503, {}), Reply(201, creds)]) as server:
            got = Client.exchange_job_token(server.url + "/", "job_1", "uvjt_tok")  # sleeps ≤ 0.5 s once
        self.assertEqual(server.requests[0].path, "/v1/training/jobs/job_1/credentials")
        self.assertEqual(json.loads(server.requests[0].body), {"token": "uvjt_tok"})
        self.assertNotIn("authorization", server.requests[0].headers)
        self.assertEqual(server.requests[0].headers["idempotency-key"], server.requests[1].headers["idempotency-key"])
        self.assertEqual((got.job_id, got.api_key, got.task_ids), ("job_1", "uv_job_secret", ["task_1"]))
        self.assertNotIn("uv_job_secret", repr(got))

    def test_a_wrong_token_raises_401(self):
        with ScriptedServer([Reply(401, envelope("unauthorized", "bad token"))]) as server:
            with self.assertRaises(UserVilleError) as ctx:
                Client.exchange_job_token(server.url, "job_1", "uvjt_wrong")
        self.assertEqual((ctx.exception.status, ctx.exception.code), (401, "unauthorized"))


if __name__ == "__main__":
    unittest.main()
