"""`python -m userville.train` as a Ray job runs it, against a loopback stand-in for the API.

The stand-in implements the job-credential contract (token exchange, signed payload, signed events) and the
session routes, answering sessions slowly so that training is in progress when SIGTERM arrives.
"""

from __future__ import annotations

import base64
import json
import os
import signal
import subprocess
import sys
import threading
import time
import unittest
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from userville import webhooks

PYTHON_DIR = Path(__file__).resolve().parents[2]
SECRET = "whsec_" + base64.b64encode(b"per-job-secret-for-the-sigterm-test").decode()
TOKEN = "uvjt_test_token"


class FakeApi:
    def __init__(self, payload: dict, session_delay: float = 0.3) -> None:
        self.payload = payload
        self.events: list[dict] = []
        self.exchanges = 0
        self.bad_signatures = 0
        self.session_delay = session_delay
        self.lock = threading.Lock()
        self.n = 0
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def reply(self, status: int, body: Any) -> None:
                data = json.dumps(body).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the trainer was stopped mid-request

            def do_GET(self) -> None:
                if self.path == "/v1/training/jobs/job_test/payload":
                    try:
                        webhooks.verify(SECRET, dict(self.headers.items()), b"")
                    except webhooks.WebhookVerificationError:
                        outer.bad_signatures += 1
                        return self.reply(401, {"error": {"code": "unauthorized", "message": "sig"}})
                    return self.reply(200, outer.payload)
                if self.path.startswith("/v1/tasks/"):
                    return self.reply(200, {"id": self.path.rsplit("/", 1)[1], "family": "swe", "vague_prompt": "x"})
                self.reply(404, {"error": {"code": "not_found", "message": self.path}})

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if self.path == "/v1/training/jobs/job_test/credentials":
                    with outer.lock:
                        outer.exchanges += 1
                        first = outer.exchanges == 1
                    if json.loads(body).get("token") != TOKEN or not first:
                        return self.reply(409, {"error": {"code": "conflict", "message": "spent"}})
                    base = f"http://127.0.0.1:{self.server.server_address[1]}/v1/training/jobs/job_test"
                    return self.reply(201, {"job_id": "job_test", "account_id": "acct_1", "api_key": "uv_job_k",
                                            "callback_secret": SECRET, "payload_url": f"{base}/payload",
                                            "events_url": f"{base}/events", "task_ids": ["task_a"],
                                            "expires_at": None})
                if self.path == "/v1/training/jobs/job_test/events":
                    try:
                        webhooks.verify(SECRET, dict(self.headers.items()), body)
                    except webhooks.WebhookVerificationError:
                        outer.bad_signatures += 1
                        return self.reply(401, {"error": {"code": "unauthorized", "message": "sig"}})
                    outer.events.append(json.loads(body))
                    return self.reply(200, {"received": True, "duplicate": False})
                if self.headers.get("Authorization") != "Bearer uv_job_k":
                    return self.reply(401, {"error": {"code": "unauthorized", "message": "key"}})
                time.sleep(outer.session_delay)
                if self.path == "/v1/sessions":
                    with outer.lock:
                        outer.n += 1
                        sid = f"ses_{outer.n}"
                    return self.reply(201, {"id": sid, "prompt": "Something is broken ...",
                                            "preference": {"id": "no_ask", "description": "d"}, "max_questions": 4})
                if self.path.endswith("/questions"):
                    return self.reply(200, {"answer": "I don't know."})
                if self.path.endswith("/actions"):
                    return self.reply(200, {"recorded": True})
                if self.path.endswith("/finish"):
                    return self.reply(200, {"reward": 0.0, "productivity": 0.0, "proactivity": -0.5,
                                            "personalization": 0.0, "metrics": {}, "questions": []})
                self.reply(404, {"error": {"code": "not_found", "message": self.path}})

            def log_message(self, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def types(self) -> list[str]:
        return [e["type"] for e in self.events]


def config_payload(steps: int, group: int = 2) -> dict:
    return {"kind": "config",
            "config": {"task_ids": ["task_a"], "grpo": {"group_size": group, "batch_size": 1, "steps": steps,
                                                       "learning_rate": 1e-6, "advantage": "grpo"}},
            "rows": [{"task_id": "task_a", "preference": "no_ask", "vague": True}]}


def start(api: FakeApi, token: str = TOKEN, **extra_env: str) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(PYTHON_DIR), "USERVILLE_JOB_ID": "job_test",
           "USERVILLE_API_URL": api.url, "USERVILLE_JOB_TOKEN": token, **extra_env}
    return subprocess.Popen([sys.executable, "-m", "userville.train"], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def wait_for(predicate: Any, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


class SigtermTest(unittest.TestCase):
    def test_sigterm_posts_stopped_quickly_and_exits(self) -> None:
        api = FakeApi(config_payload(steps=1000))
        try:
            proc = start(api)
            self.assertTrue(wait_for(lambda: "progress" in api.types(), 20), api.types())
            t0 = time.monotonic()
            proc.send_signal(signal.SIGTERM)
            code = proc.wait(timeout=10)
            elapsed = time.monotonic() - t0
            _, err = proc.communicate()
        finally:
            api.close()
        self.assertEqual(code, 143, err)
        self.assertLess(elapsed, 2.0)
        self.assertEqual(api.types()[0], "started")
        self.assertEqual(api.types()[-1], "stopped")
        self.assertNotIn("succeeded", api.types())
        self.assertEqual(api.exchanges, 1)
        self.assertEqual(api.bad_signatures, 0)
        progress = next(e for e in api.events if e["type"] == "progress")
        self.assertEqual(progress["step"], 1)
        for name in ("reward/total", "reward/productivity", "reward/proactivity", "reward/personalization",
                     "ask_ratio", "questions/mean", "loss"):
            self.assertIn(name, progress["metrics"])

    def test_a_short_job_succeeds_with_a_checkpoint(self) -> None:
        api = FakeApi(config_payload(steps=2), session_delay=0)
        try:
            import tempfile

            with tempfile.TemporaryDirectory() as tmp:
                proc = start(api, USERVILLE_CHECKPOINT_DIR=tmp)
                code = proc.wait(timeout=30)
                _, err = proc.communicate()
                self.assertEqual(code, 0, err)
                done = api.events[-1]
                self.assertEqual(done["type"], "succeeded")
                self.assertEqual(done["result"]["steps"], 2)
                self.assertEqual(done["result"]["checkpoint"], os.path.join(tmp, "policy.json"))
                self.assertTrue(os.path.exists(done["result"]["checkpoint"]))
                self.assertIn("no_ask", done["result"]["policy"])
        finally:
            api.close()
        self.assertEqual([e["step"] for e in api.events if e["type"] == "progress"], [1, 2])

    def test_a_failure_posts_failed_with_the_traceback_tail_and_exits_non_zero(self) -> None:
        payload = config_payload(steps=1)
        payload["config"]["backend"] = "nope"
        api = FakeApi(payload, session_delay=0)
        try:
            proc = start(api)
            code = proc.wait(timeout=30)
            proc.communicate()
        finally:
            api.close()
        self.assertEqual(code, 1)
        self.assertEqual(api.types(), ["started", "failed"])
        self.assertIn("unknown backend 'nope'", api.events[-1]["message"])
        self.assertIn("ValueError", api.events[-1]["message"])

    def test_a_spent_token_fails_without_events(self) -> None:
        api = FakeApi(config_payload(steps=1))
        try:
            proc = start(api, token="uvjt_wrong")
            code = proc.wait(timeout=30)
            _, err = proc.communicate()
        finally:
            api.close()
        self.assertEqual(code, 1)
        self.assertEqual(api.events, [])
        self.assertIn("conflict", err)

    def test_missing_environment_is_explained(self) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith("USERVILLE_")}
        env["PYTHONPATH"] = str(PYTHON_DIR)
        proc = subprocess.run([sys.executable, "-m", "userville.train"], env=env, capture_output=True, text=True,
                              timeout=30)
        self.assertEqual(proc.returncode, 1)
        self.assertIn("USERVILLE_JOB_ID, USERVILLE_API_URL, USERVILLE_JOB_TOKEN not set", proc.stderr)

    def test_help_documents_the_local_mode(self) -> None:
        proc = subprocess.run([sys.executable, "-m", "userville.train", "--help"], capture_output=True, text=True,
                              env={**os.environ, "PYTHONPATH": str(PYTHON_DIR)}, timeout=30)
        self.assertEqual(proc.returncode, 0)
        for flag in ("--api-url", "--api-key", "--task", "--steps", "USERVILLE_JOB_TOKEN"):
            self.assertIn(flag, proc.stdout)


if __name__ == "__main__":
    unittest.main()
