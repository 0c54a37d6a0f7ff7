"""Backend `verl`: run verl's PPO/GRPO trainer with the UserVille agent loop and relay its metrics.

Written to verl 0.7.0 (tag v0.7.0): `verl/trainer/config/ppo_trainer.yaml` (generated form
`_generated_ppo_trainer.yaml`) for the Hydra keys below, `docs/advance/agent_loop.rst` and
`verl/experimental/agent_loop/` for the agent loop (`actor_rollout_ref.rollout.agent.agent_loop_config_path`,
`default_agent_loop`, `rollout.mode=async`, `multi_turn.*`), and `verl/utils/tracking.py` for the metric log.

The command is `python -m verl.trainer.main_ppo` with overrides built from the job's config:
`algorithm.adv_estimator=grpo`, `algorithm.norm_adv_by_std_in_grpo` (false for dr_grpo),
`actor_rollout_ref.rollout.n=group_size`, `data.train_batch_size=batch_size`,
`trainer.total_training_steps=steps`, `actor_rollout_ref.actor.optim.lr=learning_rate`,
`actor_rollout_ref.model.path=base_model`, DAPO's clip-higher (`clip_ratio_high=0.28`, spec §6) with
token-mean loss, multi-turn on (hermes tool format, up to 5 assistant turns: four answered questions and the
answer), the agent loop registered by `userville/adapters/verl_agent_loop.yaml` as default. The job's rows are
written as a parquet dataset (pyarrow, which verl depends on) whose `extra_info` names the session
(`task_id`, `preference`, `vague`). `config["verl"]` may set `rollout_name` (default vllm), `n_gpus_per_node`,
`nnodes`, `python` and `overrides` (extra `key=value` strings, applied last so they win).

Metrics: verl's `file` logger (`trainer.logger=[console,file]`) appends one JSON line per step,
`{"step": n, "data": {metric: value}}`, to `VERL_FILE_LOGGER_PATH`, which we set and tail. verl does not flush
that file per line, so a step may arrive a little late; the console logger's lines go to the job log as usual.
Each step is posted as `progress` with `critic/score/mean` as `reward/total`, `actor/pg_loss` as `loss`, the
adapter's reward extras (`productivity`, `proactivity`, `personalization`, `questions`) where verl reports them,
and a few of verl's own (entropy, response length, step time), at most 32.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

AGENT_LOOP_YAML = Path(__file__).resolve().parent.parent / "adapters" / "verl_agent_loop.yaml"
AGENT_NAME = "userville_agent"
DAPO_CLIP_RATIO_HIGH = 0.28
MAX_ASSISTANT_TURNS = 5
POLL_SECONDS = 1.0

Progress = Callable[[int, dict[str, float]], None]

SYSTEM_PROMPT = (
    "You are a software and research agent working for a user. The task may be vague: call the ask_question tool "
    "when you need information only the user has, respecting the user's preference, then give your final answer."
)


def verl_overrides(payload: dict, *, train_file: str, checkpoint_dir: str, experiment: str) -> list[str]:
    """The Hydra overrides for one job (see the module docstring)."""
    config = payload.get("config") or {}
    grpo = config.get("grpo") or {}
    verl = config.get("verl") or {}
    base_model = config.get("base_model")
    if not base_model:
        raise ValueError("config.base_model is required for the verl backend (a HF model id or path)")
    advantage = grpo.get("advantage", "grpo")
    if advantage not in ("grpo", "dr_grpo"):
        raise ValueError(f'grpo.advantage must be "grpo" or "dr_grpo", got {advantage!r}')
    steps = int(grpo.get("steps", 1))
    overrides = [
        "algorithm.adv_estimator=grpo",
        f"algorithm.norm_adv_by_std_in_grpo={'true' if advantage == 'grpo' else 'false'}",
        f"data.train_files={train_file}",
        f"data.val_files={train_file}",
        f"data.train_batch_size={int(grpo.get('batch_size', 64))}",
        "data.return_raw_chat=true",
        f"actor_rollout_ref.model.path={base_model}",
        f"actor_rollout_ref.actor.optim.lr={float(grpo.get('learning_rate', 1e-6))}",
        f"actor_rollout_ref.actor.clip_ratio_high={DAPO_CLIP_RATIO_HIGH}",
        "actor_rollout_ref.actor.loss_agg_mode=token-mean",
        f"actor_rollout_ref.rollout.n={int(grpo.get('group_size', 8))}",
        f"actor_rollout_ref.rollout.name={verl.get('rollout_name', 'vllm')}",
        "actor_rollout_ref.rollout.mode=async",
        "actor_rollout_ref.rollout.multi_turn.enable=true",
        "actor_rollout_ref.rollout.multi_turn.format=hermes",
        f"actor_rollout_ref.rollout.multi_turn.max_assistant_turns={MAX_ASSISTANT_TURNS}",
        f"actor_rollout_ref.rollout.agent.agent_loop_config_path={AGENT_LOOP_YAML}",
        f"actor_rollout_ref.rollout.agent.default_agent_loop={AGENT_NAME}",
        f"trainer.total_training_steps={steps}",
        "trainer.logger=[console,file]",
        "trainer.project_name=userville",
        f"trainer.experiment_name={experiment}",
        f"trainer.default_local_dir={checkpoint_dir}",
        f"trainer.save_freq={steps}",
        "trainer.val_before_train=false",
        "trainer.test_freq=-1",
    ]
    if "n_gpus_per_node" in verl:
        overrides.append(f"trainer.n_gpus_per_node={int(verl['n_gpus_per_node'])}")
    if "nnodes" in verl:
        overrides.append(f"trainer.nnodes={int(verl['nnodes'])}")
    extra = verl.get("overrides") or []
    if not isinstance(extra, list) or not all(isinstance(o, str) and "=" in o for o in extra):
        raise ValueError('config.verl.overrides must be a list of "key=value" strings')
    return overrides + extra


def verl_command(payload: dict, *, train_file: str, checkpoint_dir: str, experiment: str) -> list[str]:
    python = (payload.get("config") or {}).get("verl", {}).get("python") or sys.executable
    return [python, "-m", "verl.trainer.main_ppo", *verl_overrides(
        payload, train_file=train_file, checkpoint_dir=checkpoint_dir, experiment=experiment
    )]


def dataset_rows(payload: dict) -> list[dict[str, Any]]:
    """One verl dataset row per job row: a chat prompt, the agent loop's name and the session in extra_info."""
    rows = payload.get("rows") or []
    if not rows:
        raise ValueError("the payload has no rows")
    return [
        {
            "data_source": "userville",
            "prompt": [{"role": "system", "content": SYSTEM_PROMPT}],
            "agent_name": AGENT_NAME,
            "reward_model": {"style": "rule", "ground_truth": ""},
            "extra_info": {
                "index": i,
                "task_id": row["task_id"],
                "preference": row["preference"],
                "vague": bool(row.get("vague", True)),
            },
        }
        for i, row in enumerate(rows)
    ]


def write_parquet(rows: list[dict[str, Any]], path: str) -> None:
    try:
        import pyarrow as pa  # verl's own dependency; not needed by the tabular backend
        import pyarrow.parquet as pq
    except ImportError as err:
        raise RuntimeError("the verl backend needs pyarrow (installed with verl) to write its dataset") from err
    pq.write_table(pa.Table.from_pylist(rows), path)


class MetricTail:
    """Reads complete JSON lines appended to a file since the last call (a partial last line waits)."""

    def __init__(self, path: str) -> None:
        self.path = path
        self._offset = 0
        self._partial = b""

    def read(self) -> Iterator[tuple[int, dict[str, Any]]]:
        try:
            with open(self.path, "rb") as fh:
                fh.seek(self._offset)
                chunk = fh.read()
                self._offset = fh.tell()
        except FileNotFoundError:
            return
        data = self._partial + chunk
        *lines, self._partial = data.split(b"\n")
        for line in lines:
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except ValueError:
                continue  # not a metric line
            if isinstance(record, dict) and isinstance(record.get("step"), int) and isinstance(record.get("data"), dict):
                yield record["step"], record["data"]


_RENAMES = {
    "critic/score/mean": "reward/total",
    "actor/pg_loss": "loss",
    "actor/entropy": "actor/entropy",
    "actor/pg_clipfrac": "actor/pg_clipfrac",
    "actor/ppo_kl": "actor/ppo_kl",
    "response_length/mean": "response_length/mean",
    "timing_s/step": "time/step_s",
    "critic/advantages/mean": "advantage/mean",
}
_COMPONENTS = {
    "productivity": "reward/productivity",
    "proactivity": "reward/proactivity",
    "personalization": "reward/personalization",
    "questions": "questions/mean",
    "ask_ratio": "ask_ratio",
}


def map_metrics(data: dict[str, Any]) -> dict[str, float]:
    """verl's metric names → the job's (see the module docstring)."""
    out: dict[str, float] = {}
    numeric = {k: float(v) for k, v in data.items() if isinstance(v, (int, float)) and not isinstance(v, bool)}
    for source, target in _RENAMES.items():
        if source in numeric:
            out[target] = numeric[source]
    for key, value in numeric.items():
        parts = key.split("/")
        for name, target in _COMPONENTS.items():
            # e.g. "reward_extra_info/productivity/mean", "productivity": means only, never max/min/std.
            if target not in out and name in parts and parts[-1] in (name, "mean"):
                out[target] = value
    return out


class VerlBackend:
    def __init__(
        self,
        payload: dict,
        env: dict[str, str],
        *,
        progress: Progress | None = None,
        stop: threading.Event | None = None,
        workdir: str | None = None,
    ) -> None:
        if payload.get("kind") != "config":
            raise ValueError("the verl backend trains from a config payload; items payloads need the tabular backend")
        self.payload = payload
        self.env = env
        self.progress = progress or (lambda step, metrics: None)
        self.stop = stop or threading.Event()
        self.workdir = workdir or os.environ.get("USERVILLE_CHECKPOINT_DIR") or tempfile.mkdtemp(prefix="userville-verl-")

    def run(self) -> dict[str, Any]:
        os.makedirs(self.workdir, exist_ok=True)
        train_file = os.path.join(self.workdir, "rows.parquet")
        write_parquet(dataset_rows(self.payload), train_file)
        metrics_file = os.path.join(self.workdir, "metrics.jsonl")
        checkpoint_dir = os.path.join(self.workdir, "checkpoints")
        experiment = str(self.env.get("USERVILLE_JOB_ID") or os.environ.get("USERVILLE_JOB_ID") or "local")
        cmd = verl_command(self.payload, train_file=train_file, checkpoint_dir=checkpoint_dir, experiment=experiment)
        child_env = {**os.environ, **self.env, "VERL_FILE_LOGGER_PATH": metrics_file}
        return self.supervise(cmd, child_env, metrics_file, checkpoint_dir)

    def supervise(self, cmd: list[str], env: dict[str, str], metrics_file: str, checkpoint_dir: str) -> dict[str, Any]:
        """Runs the trainer, relays each new metric line, and stops it when asked."""
        tail = MetricTail(metrics_file)
        last_lines: deque[str] = deque(maxlen=40)
        child = subprocess.Popen(
            cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True
        )

        def pump() -> None:
            assert child.stdout is not None
            for line in child.stdout:
                sys.stderr.write(line)  # verl's console logger and logs go to the job's log
                last_lines.append(line.rstrip("\n"))

        reader = threading.Thread(target=pump, daemon=True, name="verl-log")
        reader.start()
        last_step = 0
        try:
            while True:
                for step, data in tail.read():
                    last_step = max(last_step, step)
                    self.progress(step, map_metrics(data))
                if child.poll() is not None:
                    break
                if self.stop.wait(POLL_SECONDS):
                    break
        finally:
            if child.poll() is None:
                os.killpg(child.pid, signal.SIGTERM)
                try:
                    child.wait(timeout=1.0)
                except subprocess.TimeoutExpired:
                    os.killpg(child.pid, signal.SIGKILL)
        reader.join(timeout=1.0)
        if child.stdout is not None:
            child.stdout.close()
        for step, data in tail.read():  # what arrived between the last poll and the exit
            last_step = max(last_step, step)
            self.progress(step, map_metrics(data))
        if child.returncode != 0:
            raise RuntimeError(
                f"verl exited with {child.returncode}; last output:\n" + "\n".join(last_lines)
            )
        return {
            "backend": "verl",
            "steps": last_step,
            "checkpoint": checkpoint_dir,
            "policy": {"base_model": (self.payload.get("config") or {}).get("base_model")},
            "command": cmd[1:3],
        }
