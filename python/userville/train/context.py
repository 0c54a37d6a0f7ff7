"""Where a training run gets its work and where it reports: a Ray job's context, or a local run's.

A Ray job (the dispatcher submits `python -m userville.train` with `runtime_env.env_vars`) finds
`USERVILLE_JOB_ID`, `USERVILLE_API_URL` and the one-time `USERVILLE_JOB_TOKEN` in its environment. It trades
the token once for the job-scoped API key and callback secret, reads the signed payload, and posts its events
to the job's signed events URL. A local run (`--api-url/--api-key ...`) plays against any account key, builds
its payload from the command line, and writes its events as JSON lines to stdout (or `--events FILE`).
"""

from __future__ import annotations

import json
import math
import os
import sys
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import IO, Any, Protocol

from ..client import Client
from ..runner import RunnerChannel

MAX_METRICS = 32
MAX_MESSAGE_CHARS = 10_000
ENV_VARS = ("USERVILLE_JOB_ID", "USERVILLE_API_URL", "USERVILLE_JOB_TOKEN")


class EventSink(Protocol):
    def send(self, event: dict[str, Any]) -> Any: ...


class JsonLinesSink:
    """A local run's events: one JSON object per line."""

    def __init__(self, stream: IO[str]) -> None:
        self._stream = stream
        self._lock = threading.Lock()

    def send(self, event: dict[str, Any]) -> dict:
        with self._lock:
            self._stream.write(json.dumps(event, separators=(",", ":")) + "\n")
            self._stream.flush()
        return {"received": True, "duplicate": False}


@dataclass
class JobContext:
    clients: list[Client]
    payload: dict
    sink: EventSink
    job_id: str | None = None
    checkpoint_dir: str | None = None
    extra_env: dict[str, str] = field(default_factory=dict)

    @property
    def client(self) -> Client:
        return self.clients[0]


def missing_env(env: Mapping[str, str]) -> list[str]:
    return [name for name in ENV_VARS if not env.get(name)]


def from_env(env: Mapping[str, str] | None = None) -> JobContext:
    """A Ray job's context: exchange the one-time token (once), then read the payload."""
    env = os.environ if env is None else env
    missing = missing_env(env)
    if missing:
        raise RuntimeError(
            f"{', '.join(missing)} not set: a training job gets them from the dispatcher "
            "(Ray runtime_env.env_vars); for a local run pass --api-url and --api-key (see --help)"
        )
    base_url = env["USERVILLE_API_URL"]
    creds = Client.exchange_job_token(base_url, env["USERVILLE_JOB_ID"], env["USERVILLE_JOB_TOKEN"])
    channel = RunnerChannel(creds.job_id, creds.payload_url, creds.events_url, creds.callback_secret)
    payload = channel.payload()
    return JobContext(
        clients=[Client(base_url, creds.api_key)],
        payload=payload,
        sink=channel,
        job_id=creds.job_id,
        checkpoint_dir=env.get("USERVILLE_CHECKPOINT_DIR") or None,
        # What a verl backend's rollout workers need to reach the API (the adapter reads these two).
        extra_env={"USERVILLE_API_URL": base_url, "USERVILLE_API_KEY": creds.api_key},
    )


def clean_metrics(metrics: Mapping[str, Any]) -> dict[str, float]:
    """Finite numbers only, at most MAX_METRICS of them (the events route's limit)."""
    out: dict[str, float] = {}
    for name, value in metrics.items():
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            continue
        out[str(name)[:64]] = float(value)
        if len(out) == MAX_METRICS:
            break
    return out


class Reporter:
    """The run's events, in the RunnerEvent shape the API accepts."""

    def __init__(self, sink: EventSink) -> None:
        self.sink = sink

    def started(self, message: str | None = None) -> None:
        self.sink.send({"type": "started", **({"message": message} if message else {})})

    def progress(self, step: int, metrics: Mapping[str, Any]) -> None:
        self.sink.send({"type": "progress", "step": int(step), "metrics": clean_metrics(metrics)})

    def succeeded(self, result: dict[str, Any]) -> None:
        self.sink.send({"type": "succeeded", "result": result})

    def failed(self, message: str) -> None:
        self.sink.send({"type": "failed", "message": tail(message)})

    def stopped(self, message: str, timeout: float = 1.5) -> bool:
        """Posts `stopped` but gives up after `timeout` seconds (Ray kills the process soon after SIGTERM)."""
        done = threading.Event()

        def post() -> None:
            try:
                self.sink.send({"type": "stopped", "message": tail(message)})
            except Exception as err:  # noqa: BLE001 - the process is exiting; say so and go
                print(f"userville.train: could not post stopped: {err}", file=sys.stderr)
            finally:
                done.set()

        threading.Thread(target=post, daemon=True, name="post-stopped").start()
        return done.wait(timeout)


def tail(text: str, limit: int = MAX_MESSAGE_CHARS) -> str:
    """The end of a long message (a traceback's last lines matter most)."""
    return text if len(text) <= limit else "…" + text[-(limit - 1) :]
