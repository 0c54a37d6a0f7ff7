import json
import unittest
import uuid

from userville import Client, UserVilleError
from userville.runner import RunnerChannel

from ._live import account, new_account, require_env

GOLD = ["astropy/timeseries/core.py::BaseTimeSeries._check_required_columns"]


class Reads(unittest.TestCase):
    def setUp(self):
        self.client, self.task_id, self.seed = account()

    def test_preferences(self):
        prefs = self.client.preferences()
        self.assertEqual(len(prefs), 20)
        by_id = {p.id: p for p in prefs}
        self.assertEqual(by_id["no_ask"].split, "seen")
        self.assertIn(by_id["no_ask"].check, ("rule", "judge", "none"))
        self.assertTrue(all(p.description for p in prefs))

    def test_task_public_view_only(self):
        task = self.client.get_task(self.task_id)
        self.assertEqual((task.id, task.family), (self.task_id, "swe"))
        self.assertTrue(task.vague_prompt)
        for hidden in ("prompt", "hint", "files", "functions", "answer", "documents"):
            self.assertNotIn(hidden, task.raw)
        page = self.client.list_tasks(limit=1)
        self.assertIn(self.task_id, [t.id for t in page.data])

    def test_errors_carry_the_envelope(self):
        with self.assertRaises(UserVilleError) as ctx:
            self.client.get_task("task_does_not_exist")
        self.assertEqual((ctx.exception.status, ctx.exception.code), (404, "not_found"))
        self.assertTrue(ctx.exception.request_id)
        with self.assertRaises(UserVilleError) as ctx:
            self.client.create_session(self.task_id, "not_a_preference")
        self.assertEqual((ctx.exception.status, ctx.exception.code), (400, "invalid_request"))
        self.assertTrue(ctx.exception.details)
        with self.assertRaises(UserVilleError) as ctx:
            Client(self.client.base_url, "uv_live_not_a_key").preferences()
        self.assertEqual(ctx.exception.status, 401)


class Sessions(unittest.TestCase):
    def setUp(self):
        self.client, self.task_id, _ = account()

    def test_ask_act_finish_and_read_back(self):
        s = self.client.create_session(self.task_id, "concise_question")
        self.assertEqual((s.preference_id, s.max_questions, s.state, s.vague), ("concise_question", 4, "open", True))
        self.assertTrue(s.prompt and s.preference_description)
        self.client.act(s.id)
        reply = self.client.ask(s.id, "Which function?")
        self.assertTrue(reply.answer)
        self.assertEqual((reply.position, reply.remaining), (1, 3))
        score = self.client.finish(s.id, GOLD)
        self.assertIsNotNone(score)
        self.assertEqual(score.productivity, 1.0)
        self.assertTrue(score.metrics["asked"])
        self.assertEqual(len(score.questions), 1)
        view = self.client.get_session(s.id)
        self.assertEqual(view["state"], "finished")
        self.assertEqual(view["actions"], 1)
        self.assertEqual(view["score"]["reward"], score.reward)
        self.assertEqual(view["questions"][0]["answer"], reply.answer)
        with self.assertRaises(UserVilleError) as ctx:
            self.client.finish(s.id, GOLD)
        self.assertEqual(ctx.exception.status, 409)

    def test_precise_prompt_row_and_task_score(self):
        s = self.client.create_session(self.task_id, "no_ask", vague=False)
        self.assertFalse(s.vague)
        score = self.client.finish(s.id, ["wrong.py::f"], task_score=1.0)
        self.assertEqual(score.productivity, 1.0)  # task_score overrides the service's check
        self.assertFalse(score.metrics["asked"])


class Scoring(unittest.TestCase):
    def setUp(self):
        self.client, self.task_id, _ = account()

    def test_score_and_batch_with_group_advantages(self):
        one = self.client.score(task_id=self.task_id, preference="no_ask", prediction=GOLD)
        self.assertEqual(one.productivity, 1.0)
        asked = {"text": "Which file should change?"}
        items = [
            {"task_id": self.task_id, "preference": "no_ask", "prediction": GOLD, "group": "g"},
            {"task_id": self.task_id, "preference": "no_ask", "prediction": GOLD, "questions": [asked], "group": "g"},
        ]
        batch = self.client.score_batch(items)
        self.assertEqual(len(batch.results), 2)
        quiet, chatty = batch.results
        self.assertGreater(quiet.reward, chatty.reward)  # no_ask penalises the question
        self.assertGreater(quiet.advantage, 0)
        self.assertLess(chatty.advantage, 0)
        self.assertAlmostEqual(quiet.advantage + chatty.advantage, 0.0, places=6)
        self.assertEqual(batch.summary["count"], 2)
        self.assertEqual(batch.summary["advantage"], "grpo")

    def test_a_retried_post_with_the_same_key_is_replayed_not_charged_twice(self):
        key, _ = new_account(credits=10_000)
        client = Client(self.client.base_url, key)
        body = json.dumps({"task_id": self.task_id, "preference": "no_ask", "prediction": GOLD}).encode()
        before = client.usage().credits_remaining
        headers = {"Authorization": f"Bearer {key}", "Idempotency-Key": str(uuid.uuid4())}
        url = f"{client.base_url}/v1/score"
        with self.assertRaises(UserVilleError):
            client.score(task_id=self.task_id, preference="no_ask", prediction=GOLD)  # another account's task
        first = self.client.transport.request("POST", url, body=body, headers={**headers, "Authorization":
                                              f"Bearer {self.client.api_key}"})
        again = self.client.transport.request("POST", url, body=body, headers={**headers, "Authorization":
                                              f"Bearer {self.client.api_key}"})
        self.assertEqual(first.json(), again.json())
        self.assertEqual(again.headers.get("Idempotent-Replayed"), "true")
        self.assertEqual(client.usage().credits_remaining, before)


class TrainingAndUsage(unittest.TestCase):
    def setUp(self):
        self.client, self.task_id, _ = account()

    def test_create_read_list_cancel_a_job(self):
        job = self.client.create_training_job(
            {"runner": "ray", "config": {"task_ids": [self.task_id], "grpo": {"steps": 1}}}
        )
        self.assertTrue(job.id.startswith("job_"))
        self.assertEqual(job.raw["kind"], "config")
        got = self.client.get_training_job(job.id)
        self.assertEqual(got.id, job.id)
        self.assertIsInstance(got.metrics, list)
        self.assertIn(job.id, [j.id for j in self.client.list_training_jobs().data])
        try:
            cancelled = self.client.cancel_training_job(job.id)
        except UserVilleError as err:  # the job ended before the cancel arrived
            self.assertEqual(err.status, 409)
        else:
            self.assertTrue(cancelled.state == "CANCELLED" or cancelled.raw["cancel_requested"])

    def test_usage_counts_this_accounts_sessions(self):
        s = self.client.create_session(self.task_id, "no_ask")
        self.client.finish(s.id, GOLD)
        usage = self.client.usage()
        self.assertGreater(usage.credits_remaining, 0)
        self.assertGreaterEqual(usage.by_route["session_finish"]["calls"], 1)
        self.assertTrue(usage.by_day)

    def test_job_credentials_and_signed_channel_refuse_strangers(self):
        job = self.client.create_training_job({"runner": "ray", "config": {"task_ids": [self.task_id], "grpo": {"steps": 1}}})
        url, _ = require_env()
        with self.assertRaises(UserVilleError) as ctx:
            Client.exchange_job_token(url, job.id, "uvjt_not_the_token")
        self.assertEqual((ctx.exception.status, ctx.exception.code), (401, "unauthorized"))
        channel = RunnerChannel(job.id, f"{url}/v1/training/jobs/{job.id}/payload",
                                f"{url}/v1/training/jobs/{job.id}/events",
                                "whsec_bm90LXRoaXMtam9icy1jYWxsYmFjay1zZWNyZXQ=")
        for call in (channel.payload, lambda: channel.send({"type": "started"})):
            with self.assertRaises(UserVilleError) as ctx:
                call()
            self.assertEqual(ctx.exception.status, 401)
        self.client.cancel_training_job(job.id)


if __name__ == "__main__":
    unittest.main()
