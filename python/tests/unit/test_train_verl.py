"""The verl backend: command line, dataset rows, metric-log tailing and supervision (verl itself is not here)."""

from __future__ import annotations

import json
import os
import sys
import tempfile
import textwrap
import unittest

from userville.train import verl_backend as vb


def payload(**grpo: object) -> dict:
    return {
        "kind": "config",
        "config": {
            "backend": "verl",
            "task_ids": ["task_a"],
            "base_model": "ByteDance-Seed/Seed-OSS-36B-Instruct",
            "grpo": {"group_size": 8, "batch_size": 64, "steps": 200, "learning_rate": 1e-6, "advantage": "grpo",
                     **grpo},
            "verl": {"n_gpus_per_node": 8, "overrides": ["trainer.nnodes=4"]},
        },
        "rows": [{"task_id": "task_a", "preference": "no_ask", "vague": True},
                 {"task_id": "task_a", "preference": "no_ask", "vague": False}],
    }


class CommandTest(unittest.TestCase):
    def overrides(self, p: dict) -> dict[str, str]:
        cmd = vb.verl_command(p, train_file="/d/rows.parquet", checkpoint_dir="/d/ckpt", experiment="job_1")
        self.assertEqual(cmd[1:3], ["-m", "verl.trainer.main_ppo"])
        return dict(o.split("=", 1) for o in cmd[3:])

    def test_job_settings_become_hydra_overrides(self) -> None:
        o = self.overrides(payload())
        self.assertEqual(o["algorithm.adv_estimator"], "grpo")
        self.assertEqual(o["algorithm.norm_adv_by_std_in_grpo"], "true")
        self.assertEqual(o["actor_rollout_ref.rollout.n"], "8")
        self.assertEqual(o["data.train_batch_size"], "64")
        self.assertEqual(o["trainer.total_training_steps"], "200")
        self.assertEqual(float(o["actor_rollout_ref.actor.optim.lr"]), 1e-6)
        self.assertEqual(o["actor_rollout_ref.model.path"], "ByteDance-Seed/Seed-OSS-36B-Instruct")
        self.assertEqual(o["actor_rollout_ref.rollout.multi_turn.enable"], "true")
        self.assertEqual(o["actor_rollout_ref.rollout.mode"], "async")
        self.assertEqual(o["actor_rollout_ref.rollout.agent.default_agent_loop"], "userville_agent")
        self.assertTrue(o["actor_rollout_ref.rollout.agent.agent_loop_config_path"].endswith(
            os.path.join("userville", "adapters", "verl_agent_loop.yaml")))
        self.assertTrue(os.path.exists(o["actor_rollout_ref.rollout.agent.agent_loop_config_path"]))
        self.assertEqual(o["data.train_files"], "/d/rows.parquet")
        self.assertEqual(o["trainer.logger"], "[console,file]")
        self.assertEqual(o["trainer.default_local_dir"], "/d/ckpt")
        self.assertEqual(o["trainer.n_gpus_per_node"], "8")
        self.assertEqual(o["trainer.nnodes"], "4")  # a user override, applied last

    def test_dr_grpo_turns_off_std_normalisation(self) -> None:
        self.assertEqual(self.overrides(payload(advantage="dr_grpo"))["algorithm.norm_adv_by_std_in_grpo"], "false")

    def test_bad_config(self) -> None:
        p = payload()
        del p["config"]["base_model"]
        with self.assertRaisesRegex(ValueError, "base_model"):
            self.overrides(p)
        with self.assertRaisesRegex(ValueError, "advantage"):
            self.overrides(payload(advantage="ppo"))
        p = payload()
        p["config"]["verl"]["overrides"] = ["no-equals-sign"]
        with self.assertRaisesRegex(ValueError, "overrides"):
            self.overrides(p)
        with self.assertRaisesRegex(ValueError, "config payload"):
            vb.VerlBackend({"kind": "items", "items": []}, {})

    def test_dataset_rows_name_the_session(self) -> None:
        rows = vb.dataset_rows(payload())
        self.assertEqual(len(rows), 2)
        self.assertEqual(rows[1]["extra_info"], {"index": 1, "task_id": "task_a", "preference": "no_ask",
                                                 "vague": False})
        self.assertEqual(rows[0]["agent_name"], "userville_agent")
        self.assertEqual(rows[0]["prompt"][0]["role"], "system")


SAMPLE_STEP = {"critic/score/mean": 0.42, "critic/score/max": 1.0, "actor/pg_loss": -0.013, "actor/entropy": 0.9,
               "timing_s/step": 61.5, "reward_extra_info/productivity/mean": 0.5,
               "reward_extra_info/productivity/max": 1.0, "proactivity": -0.2, "personalization/mean": 0.05,
               "questions/mean": 1.25, "training/global_step": 3}


class TailTest(unittest.TestCase):
    def test_reads_complete_lines_only_and_resumes(self) -> None:
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "metrics.jsonl")
            tail = vb.MetricTail(path)
            self.assertEqual(list(tail.read()), [])  # not created yet
            line1 = json.dumps({"step": 1, "data": SAMPLE_STEP})
            line2 = json.dumps({"step": 2, "data": {"critic/score/mean": 0.5}})
            with open(path, "w") as fh:
                fh.write(line1 + "\n" + "Creating file logger at x\n" + line2[:10])
            self.assertEqual([s for s, _ in tail.read()], [1])
            with open(path, "a") as fh:
                fh.write(line2[10:] + "\n")
            self.assertEqual(list(tail.read()), [(2, {"critic/score/mean": 0.5})])
            self.assertEqual(list(tail.read()), [])

    def test_metric_names(self) -> None:
        m = vb.map_metrics(SAMPLE_STEP)
        self.assertEqual(m["reward/total"], 0.42)
        self.assertEqual(m["loss"], -0.013)
        self.assertEqual(m["reward/productivity"], 0.5)  # the mean, not the max
        self.assertEqual(m["reward/proactivity"], -0.2)
        self.assertEqual(m["reward/personalization"], 0.05)
        self.assertEqual(m["questions/mean"], 1.25)
        self.assertEqual(m["time/step_s"], 61.5)
        self.assertLessEqual(len(m), 32)


FAKE_VERL = textwrap.dedent("""
    import json, os, sys
    path = os.environ["VERL_FILE_LOGGER_PATH"]
    assert os.environ["USERVILLE_API_KEY"] == "uv_job_key"
    with open(path, "w") as fh:
        for step in (1, 2, 3):
            fh.write(json.dumps({"step": step, "data": {"critic/score/mean": step / 10, "actor/pg_loss": 0.1}}) + "\\n")
    print("step 3 done")
    sys.exit(int(sys.argv[1]))
""")


class SuperviseTest(unittest.TestCase):
    def run_fake(self, code: int) -> tuple[list[tuple[int, dict]], object]:
        seen: list[tuple[int, dict]] = []
        with tempfile.TemporaryDirectory() as tmp:
            script = os.path.join(tmp, "fake_verl.py")
            with open(script, "w") as fh:
                fh.write(FAKE_VERL)
            backend = vb.VerlBackend(payload(), {"USERVILLE_API_KEY": "uv_job_key"},
                                     progress=lambda s, m: seen.append((s, m)), workdir=tmp)
            env = {**os.environ, "USERVILLE_API_KEY": "uv_job_key",
                   "VERL_FILE_LOGGER_PATH": os.path.join(tmp, "metrics.jsonl")}
            try:
                result = backend.supervise([sys.executable, script, str(code)], env,
                                           env["VERL_FILE_LOGGER_PATH"], os.path.join(tmp, "ckpt"))
            except RuntimeError as err:
                result = err
        return seen, result

    def test_relays_every_step_and_succeeds(self) -> None:
        seen, result = self.run_fake(0)
        self.assertEqual([s for s, _ in seen], [1, 2, 3])
        self.assertEqual(seen[2][1]["reward/total"], 0.3)
        self.assertIsInstance(result, dict)
        self.assertEqual(result["steps"], 3)

    def test_a_failing_trainer_fails_with_its_last_output(self) -> None:
        seen, result = self.run_fake(3)
        self.assertIsInstance(result, RuntimeError)
        self.assertIn("exited with 3", str(result))
        self.assertIn("step 3 done", str(result))
        self.assertEqual(len(seen), 3)


if __name__ == "__main__":
    unittest.main()
