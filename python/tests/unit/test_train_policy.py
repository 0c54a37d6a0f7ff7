"""The tabular policy's update and the trainer's step loop, against a scripted client (no network)."""

from __future__ import annotations

import json
import math
import os
import random
import tempfile
import threading
import unittest
from dataclasses import dataclass

from userville.client import Score
from userville.train import strategies as st
from userville.train.tabular import (
    TabularPolicy,
    TabularSettings,
    TabularTrainer,
    classify_trajectory,
    softmax,
    state_key,
)


class PolicyUpdateTest(unittest.TestCase):
    def test_update_is_the_reinforce_gradient_step(self) -> None:
        policy = TabularPolicy()
        key = state_key("task_a", "no_ask", True)
        # Two rollouts: strategy 0 with advantage +1, strategy 1 with −1; uniform start over 6 strategies.
        loss = policy.update([(key, 0, 0, 1.0), (key, 1, 1, -1.0)], learning_rate=0.5)
        p = 1 / 6
        # grad_j = mean_i A_i (onehot − π): strategy 0: (1·(1−p) + (−1)(0−p))/2 = 0.5; strategy 1: −0.5; others 0.
        self.assertAlmostEqual(policy.ask[key][0], 0.25, places=12)
        self.assertAlmostEqual(policy.ask[key][1], -0.25, places=12)
        for j in range(2, 6):
            self.assertAlmostEqual(policy.ask[key][j], 0.0, places=12)
        # Prediction head (per task): modes 0 (+1) and 1 (−1) → ±0.25 too.
        self.assertAlmostEqual(policy.predict["task_a"][0], 0.25, places=12)
        # loss = −mean(A·log π(a)) at the old policy: −(log(p/2) − log(p/2))/2 = 0.
        self.assertAlmostEqual(loss, 0.0, places=12)
        self.assertGreater(policy.ask_probs(key)[0], p)

    def test_loss_value(self) -> None:
        policy = TabularPolicy()
        key = state_key("t", "p", True)
        loss = policy.update([(key, 2, None, 0.5)], learning_rate=1.0)
        self.assertAlmostEqual(loss, -0.5 * math.log(1 / 6), places=12)

    def test_repeated_updates_concentrate_on_the_better_strategy(self) -> None:
        policy = TabularPolicy()
        key = state_key("t", "no_ask", True)
        rng = random.Random(1)
        for _ in range(30):
            samples = []
            for _ in range(8):
                a, m = policy.sample(key, rng)
                samples.append((a, m, 1.0 if st.ASK_STRATEGIES[a] == st.NONE else 0.0))
            mean = sum(r for *_, r in samples) / len(samples)
            policy.update([(key, a, m, r - mean) for a, m, r in samples], learning_rate=2.0)
        self.assertGreater(policy.ask_probs(key)[st.ASK_STRATEGIES.index(st.NONE)], 0.8)

    def test_softmax_is_stable(self) -> None:
        self.assertAlmostEqual(sum(softmax([1000.0, 0.0, -1000.0])), 1.0)

    def test_settings(self) -> None:
        self.assertEqual(TabularSettings.from_config({}).learning_rate, 2.0)
        self.assertEqual(TabularSettings.from_config({"tabular": {"learning_rate": 0.3, "seed": 4}}).seed, 4)
        with self.assertRaises(ValueError):
            TabularSettings.from_config({"tabular": {"learning_rate": 0}})
        with self.assertRaises(ValueError):
            TabularSettings.from_config({"tabular": {"reward": "other"}})


@dataclass
class FakeSession:
    id: str
    prompt: str


@dataclass
class FakeAnswer:
    answer: str


@dataclass
class FakeTask:
    family: str


class ScriptedClient:
    """Scores like the rules engine would under no_ask: asking anything costs −1 personalization."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.asked: dict[str, int] = {}
        self.calls = 0
        self.n = 0

    def get_task(self, task_id: str) -> FakeTask:
        return FakeTask("research")

    def create_session(self, task_id: str, preference: str, vague: bool = True) -> FakeSession:
        with self.lock:
            self.n += 1
            self.calls += 1
            sid = f"ses_{self.n}"
            self.asked[sid] = 0
        return FakeSession(sid, "Which botanist spent summers on an island?")

    def ask(self, session_id: str, question: str) -> FakeAnswer:
        with self.lock:
            self.asked[session_id] += 1
            self.calls += 1
        return FakeAnswer("As far as I know, Marguerite Olsby was a botanist.")

    def act(self, session_id: str) -> None:
        with self.lock:
            self.calls += 1

    def finish(self, session_id: str, prediction: str) -> Score:
        with self.lock:
            self.calls += 1
            asked = self.asked[session_id]
        prod = 1.0 if prediction == "Marguerite Olsby" else 0.0
        proact = -0.5 if asked else (0.0 if prod else -0.5)
        pers = -1.0 if asked else 0.0
        total = min(max(prod + proact + pers, 0.0), 1.0)
        return Score(total, prod, proact, pers, {}, [], "paper", "rules")


class TrainerLoopTest(unittest.TestCase):
    def payload(self, steps: int = 12) -> dict:
        rows = [{"task_id": "task_r", "preference": "no_ask", "vague": True}]
        return {
            "kind": "config",
            "config": {"grpo": {"group_size": 8, "batch_size": 2, "steps": steps, "advantage": "grpo"}},
            "rows": rows,
        }

    def test_runs_steps_reports_metrics_and_learns_not_to_ask(self) -> None:
        client = ScriptedClient()
        seen: list[tuple[int, dict]] = []
        with tempfile.TemporaryDirectory() as tmp:
            trainer = TabularTrainer(client, self.payload(20), progress=lambda s, m: seen.append((s, m)),
                                     checkpoint_dir=tmp)
            result = trainer.run()
            self.assertEqual([s for s, _ in seen], list(range(1, 21)))
            self.assertEqual(result["steps"], 20)
            with open(result["checkpoint"]) as fh:
                saved = json.load(fh)
            self.assertEqual(saved["strategies"], list(st.ASK_STRATEGIES))
            self.assertTrue(result["checkpoint"].startswith(tmp))
        # batch_size 2 over one row: a step takes min(batch_size, rows) = 1 row, never the same row twice, so
        # the sessions played are exactly what the service reserved (steps × min(rows, batch) × group).
        self.assertEqual(client.n, 20 * 1 * 8)
        for _, metrics in seen:
            self.assertLessEqual(len(metrics), 32)
            for name in ("reward/total", "reward/productivity", "reward/proactivity", "reward/personalization",
                         "ask_ratio", "questions/mean", "loss"):
                self.assertIn(name, metrics)
        key = state_key("task_r", "no_ask", True)
        self.assertLess(trainer.policy.ask_probability(key, "research", "no_ask"), 0.2)
        self.assertLess(seen[-1][1]["ask_ratio"], seen[0][1]["ask_ratio"])
        self.assertEqual(result["policy"]["no_ask"]["strategy"] in (st.NONE, st.STYLED_LOW, st.STYLED_TARGET), True)

    def test_same_seed_same_run(self) -> None:
        a = TabularTrainer(ScriptedClient(), self.payload(3), checkpoint_dir=tempfile.mkdtemp())
        b = TabularTrainer(ScriptedClient(), self.payload(3), checkpoint_dir=tempfile.mkdtemp())
        a.run()
        b.run()
        self.assertEqual(a.policy.ask, b.policy.ask)

    def test_items_payload_gets_the_off_policy_update(self) -> None:
        items = [
            {"task_id": "t", "preference": "no_ask", "vague": True, "questions": [], "advantage": 1.0,
             "reward": 0.0, "productivity": 0, "proactivity": -0.5, "personalization": 0},
            {"task_id": "t", "preference": "no_ask", "vague": True, "questions": [{"text": "Which file?"}],
             "advantage": -1.0, "reward": 0.0, "productivity": 0, "proactivity": -0.5, "personalization": -1},
        ]
        payload = {"kind": "items", "grpo": {"steps": 5}, "advantage": "grpo", "items": items}
        seen: list[int] = []
        trainer = TabularTrainer(ScriptedClient(), payload, progress=lambda s, m: seen.append(s),
                                 checkpoint_dir=tempfile.mkdtemp())
        result = trainer.run()
        self.assertEqual(seen, [1, 2, 3, 4, 5])
        probs = trainer.policy.ask_probs(state_key("t", "no_ask", True))
        self.assertGreater(probs[st.ASK_STRATEGIES.index(st.NONE)], probs[st.ASK_STRATEGIES.index(st.TARGET)])
        self.assertEqual(result["steps"], 5)

    def test_items_without_advantage_fail_clearly(self) -> None:
        payload = {"kind": "items", "grpo": {"steps": 1}, "items": [{"task_id": "t", "preference": "no_ask"}]}
        with self.assertRaisesRegex(ValueError, "advantage"):
            TabularTrainer(ScriptedClient(), payload, checkpoint_dir=tempfile.mkdtemp()).run()

    def test_classify_trajectory(self) -> None:
        self.assertEqual(classify_trajectory({"questions": []}), st.NONE)
        self.assertEqual(classify_trajectory({"questions": [{"text": "What is it? Where is it?"}]}), st.MULTI)
        self.assertEqual(classify_trajectory({"questions": [{"text": "Which file should I edit?"}]}), st.TARGET)
        self.assertEqual(classify_trajectory({"questions": [{"text": "Could you say more?"}]}), st.LOW)
        msgs = [{"role": "assistant", "tool_calls": [{"function": {"name": "ask_question",
                                                                    "arguments": json.dumps({"query": "Which function?"})}}]}]
        self.assertEqual(classify_trajectory({"messages": msgs}), st.TARGET)

    def test_checkpoint_dir_from_env(self) -> None:
        with tempfile.TemporaryDirectory() as tmp:
            os.environ["USERVILLE_CHECKPOINT_DIR"] = tmp
            try:
                path = TabularTrainer(ScriptedClient(), self.payload(1)).save_checkpoint()
            finally:
                del os.environ["USERVILLE_CHECKPOINT_DIR"]
            self.assertEqual(path, os.path.join(tmp, "policy.json"))


if __name__ == "__main__":
    unittest.main()
