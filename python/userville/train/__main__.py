"""`python -m userville.train`: the training entrypoint a Ray job runs (and a local development runner).

Exit codes: 0 succeeded, 1 failed (after posting `failed`), 2 bad command line, 143 stopped by SIGTERM.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import threading
import traceback
from collections.abc import Sequence
from typing import Any

from ..client import Client
from .context import JobContext, JsonLinesSink, Reporter, from_env

SEEN_PREFERENCES = (
    "no_preference",
    "concise_question",
    "detail_question",
    "answer_more",
    "only_begin",
    "no_ask",
    "do_selection",
    "professional",
    "amateur",
    "ask_many",
    "one_question",
    "first_try",
)
EXIT_FAILED = 1
EXIT_STOPPED = 128 + signal.SIGTERM

DESCRIPTION = """\
Train a PPP agent against the UserVille API.

As a Ray job (what the dispatcher submits): no arguments. The job reads USERVILLE_JOB_ID, USERVILLE_API_URL and
the one-time USERVILLE_JOB_TOKEN from its environment (Ray runtime_env.env_vars), exchanges the token for a
job-scoped key, reads the job's payload and posts started / progress (every step) / succeeded | failed | stopped.
USERVILLE_CHECKPOINT_DIR (optional) is where the policy is written (default: a new temp dir).

Locally, without Ray (development): give --api-url and --api-key; events are printed as JSON lines.
"""

EPILOG = """\
examples:
  python -m userville.train --api-url http://127.0.0.1:8787 --api-key uv_live_... \\
      --task task_abc --task task_def --preference no_ask --preference one_question --steps 15 --group-size 4
  python -m userville.train --api-url ... --api-key ... --payload payload.json   # a job payload, as is

backends (config "backend"): tabular (default; standard library only, plays real sessions) and verl
(launches `python -m verl.trainer.main_ppo` with the UserVille agent loop; needs verl and GPUs).
"""


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        prog="python -m userville.train",
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    local = p.add_argument_group("local run (no Ray)")
    local.add_argument("--api-url", help="the API base URL, e.g. http://127.0.0.1:8787")
    local.add_argument(
        "--api-key",
        action="append",
        default=[],
        help="an account key; repeat with several keys of one account to spread the per-key rate limit",
    )
    local.add_argument("--payload", help="a job payload JSON file to run instead of the options below")
    local.add_argument("--task", action="append", default=[], help="task id (repeat)")
    local.add_argument("--preference", action="append", default=[], help="preference id (repeat; default: the 12 seen)")
    local.add_argument("--no-precise", action="store_true", help="leave out each task's precise-prompt row")
    local.add_argument("--steps", type=int, default=15)
    local.add_argument("--group-size", type=int, default=8)
    local.add_argument("--batch-size", type=int, help="rows per step (default: all rows)")
    local.add_argument("--advantage", choices=("grpo", "dr_grpo"), default="grpo")
    local.add_argument("--lr", type=float, help="the tabular backend's step size (default 2.0)")
    local.add_argument("--seed", type=int, default=0)
    local.add_argument("--workers", type=int, help="sessions played at once (default 12)")
    local.add_argument("--reward", choices=("sum", "total"), help="tabular training reward (default sum)")
    local.add_argument("--backend", choices=("tabular", "verl"), default="tabular")
    local.add_argument("--events", help="append events to this file instead of stdout")
    local.add_argument("--checkpoint-dir", help="where policy.json is written")
    args = p.parse_args(argv)
    if args.api_url and not args.api_key:
        p.error("--api-url needs --api-key")
    if args.api_url and not args.payload and not args.task:
        p.error("a local run needs --task (or --payload)")
    return args


def training_rows(tasks: Sequence[str], preferences: Sequence[str], precise: bool = True) -> list[dict]:
    """The PPP layout (spec §6): every task × preference with the vague prompt, plus one precise row per task
    taking the preferences in turn (as the API's `expandTrainingRows`)."""
    rows: list[dict] = []
    for i, task in enumerate(tasks):
        rows += [{"task_id": task, "preference": p, "vague": True} for p in preferences]
        if precise:
            rows.append({"task_id": task, "preference": preferences[i % len(preferences)], "vague": False})
    return rows


def local_payload(args: argparse.Namespace) -> dict:
    if args.payload:
        with open(args.payload, encoding="utf-8") as fh:
            return json.load(fh)
    preferences = args.preference or list(SEEN_PREFERENCES)
    rows = training_rows(args.task, preferences, precise=not args.no_precise)
    tabular: dict[str, Any] = {"seed": args.seed}
    for name, value in (("learning_rate", args.lr), ("workers", args.workers), ("reward", args.reward)):
        if value is not None:
            tabular[name] = value
    return {
        "kind": "config",
        "config": {
            "backend": args.backend,
            "task_ids": list(dict.fromkeys(args.task)),
            "preferences": preferences,
            "grpo": {
                "group_size": args.group_size,
                "batch_size": args.batch_size or len(rows),
                "steps": args.steps,
                "learning_rate": 1e-6,
                "advantage": args.advantage,
            },
            "tabular": tabular,
        },
        "rows": rows,
    }


def local_context(args: argparse.Namespace) -> JobContext:
    stream = open(args.events, "a", encoding="utf-8") if args.events else sys.stdout  # noqa: SIM115
    return JobContext(
        clients=[Client(args.api_url, key) for key in args.api_key],
        payload=local_payload(args),
        sink=JsonLinesSink(stream),
        checkpoint_dir=args.checkpoint_dir,
        extra_env={"USERVILLE_API_URL": args.api_url, "USERVILLE_API_KEY": args.api_key[0]},
    )


class Stopped(BaseException):
    """SIGTERM arrived (a BaseException, so no `except Exception` on the way swallows it)."""


def train(ctx: JobContext, stop: threading.Event) -> dict[str, Any]:
    """Runs the payload's backend; returns the `succeeded` result."""
    reporter = Reporter(ctx.sink)
    payload = ctx.payload
    config = payload.get("config") or {}
    backend = config.get("backend", "tabular") if payload.get("kind") == "config" else "tabular"
    if payload.get("kind") not in ("config", "items"):
        raise ValueError(f"unknown payload kind {payload.get('kind')!r} (expected config or items)")
    if backend == "tabular":
        from .tabular import Clients, TabularTrainer

        trainer = TabularTrainer(
            Clients(ctx.clients),
            payload,
            progress=reporter.progress,
            stop=stop,
            checkpoint_dir=ctx.checkpoint_dir,
            log=lambda line: print(line, file=sys.stderr),
        )
        return trainer.run()
    if backend == "verl":
        from .verl_backend import VerlBackend

        return VerlBackend(payload, ctx.extra_env, progress=reporter.progress, stop=stop).run()
    raise ValueError(f'unknown backend {backend!r}: config.backend is "tabular" (default) or "verl"')


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    stop = threading.Event()

    def on_sigterm(signum: int, frame: object) -> None:
        if not stop.is_set():
            stop.set()
            raise Stopped()

    signal.signal(signal.SIGTERM, on_sigterm)
    reporter: Reporter | None = None
    try:
        ctx = local_context(args) if args.api_url else from_env()
        reporter = Reporter(ctx.sink)
        reporter.started(f"userville.train pid {os.getpid()}")
        result = train(ctx, stop)
        reporter.succeeded(result)
        return 0
    except Stopped:
        if reporter:
            reporter.stopped("stopped by SIGTERM")
        return EXIT_STOPPED
    except Exception:  # noqa: BLE001 - every failure is reported, then the process exits non-zero
        text = traceback.format_exc()
        print(text, file=sys.stderr)
        if reporter:
            try:
                reporter.failed("\n".join(text.strip().splitlines()[-20:]))
            except Exception as err:  # noqa: BLE001
                print(f"userville.train: could not post failed: {err}", file=sys.stderr)
        return EXIT_FAILED


if __name__ == "__main__":
    code = main()
    sys.stdout.flush()
    sys.stderr.flush()
    # Rollout threads may still sit in HTTP calls after a stop or a failure: exit without joining them
    # (Ray's stop grace period is a few seconds).
    os._exit(code)
