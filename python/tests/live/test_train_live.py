"""The tabular trainer learns from real sessions played against the running service (rules engine).

Needs USERVILLE_API_URL and USERVILLE_ADMIN_KEY (the e2e suite sets both); missing either fails.
"""

from __future__ import annotations

import tempfile
import time
import unittest

from userville import Client
from userville.train import strategies as st
from userville.train.tabular import Clients, TabularTrainer, state_key

from ._live import require_env, seed_task

TASKS = ("task_demo_astropy_timeseries_required_cols", "task_demo_lichen_botanist", "task_demo_ferry_aground_museum")
PREFERENCES = ("no_ask", "one_question", "no_preference")
STEPS = 12
KEYS = 8  # keys of one account, used in turn: ~1,800 calls in about a minute stay under 600/min per key


class TabularTrainingLiveTest(unittest.TestCase):
    def test_learns_from_real_sessions(self) -> None:
        url, admin = require_env()
        operator = Client(url, admin)
        first = operator._post("/v1/keys", {"name": "train-live", "credits": 10_000_000})
        keys = [first["key"]] + [
            operator._post("/v1/keys", {"name": f"train-live-{i}", "account_id": first["account_id"]})["key"]
            for i in range(KEYS - 1)
        ]
        clients = [Client(url, key) for key in keys]
        task_ids = []
        families = {}
        for name in TASKS:
            seed = seed_task(name)
            hidden = {k: seed[k] for k in ("hint", "files", "functions", "documents", "answer") if k in seed}
            task = clients[0].create_task(seed["family"], seed["prompt"], **hidden)
            task_ids.append(task.id)
            families[task.id] = seed["family"]
        rows = [{"task_id": t, "preference": p, "vague": True} for t in task_ids for p in PREFERENCES]
        payload = {
            "kind": "config",
            "config": {
                "task_ids": task_ids,
                "preferences": list(PREFERENCES),
                "grpo": {"group_size": 4, "batch_size": len(rows), "steps": STEPS, "learning_rate": 1e-6,
                         "advantage": "grpo"},
                "tabular": {"seed": 0},
            },
            "rows": rows,
        }
        history: list[dict] = []
        started = time.monotonic()
        with tempfile.TemporaryDirectory() as tmp:
            trainer = TabularTrainer(Clients(clients), payload, progress=lambda s, m: history.append(m),
                                     checkpoint_dir=tmp)
            result = trainer.run()
        elapsed = time.monotonic() - started
        self.assertEqual(len(history), STEPS)
        self.assertEqual(result["steps"], STEPS)
        self.assertEqual(sum(m["sessions/failed"] for m in history), 0)
        first5 = sum(m["reward/total"] for m in history[:5]) / 5
        last5 = sum(m["reward/total"] for m in history[-5:]) / 5
        print(f"\ntabular live: {elapsed:.1f} s, reward/total first 5 {first5:.3f} → last 5 {last5:.3f}")
        self.assertGreaterEqual(last5 - first5, 0.1, [round(m["reward/total"], 3) for m in history])

        multi = st.ASK_STRATEGIES.index(st.MULTI)
        for task_id in task_ids:
            family = families[task_id]
            no_ask = state_key(task_id, "no_ask", True)
            self.assertLess(trainer.policy.ask_probability(no_ask, family, "no_ask"), 0.25, (family, no_ask))
            one_q = trainer.policy.ask_probs(state_key(task_id, "one_question", True))
            self.assertLess(one_q[multi], 0.5 / len(st.ASK_STRATEGIES), (family, one_q))

        # The sessions are real: the account was charged for them.
        usage = clients[0].usage()
        sessions = STEPS * len(rows) * 4
        self.assertGreater(usage.raw.get("credits_remaining", 10_000_000), 0)
        self.assertLess(usage.credits_remaining, 10_000_000)
        self.assertTrue(usage.by_route, usage.raw)
        self.assertEqual(sum(m["sessions"] for m in history), sessions)


if __name__ == "__main__":
    unittest.main()
