"""Shared set-up for the live tests: a fresh account with credits and a copy of a seed task in it.

They run against a real service: USERVILLE_API_URL and USERVILLE_ADMIN_KEY must be set (the e2e suite starts
`npm start` and sets both). Missing either is a failure, never a skip.
"""

from __future__ import annotations

import json
import os
import sys
from functools import cache
from pathlib import Path

from userville import Client

ROOT = Path(__file__).resolve().parents[3]
STANDINS = Path(__file__).resolve().parents[1] / "standins"
DEMO_TASK = "task_demo_astropy_timeseries_required_cols"


def use_standins() -> None:
    if str(STANDINS) not in sys.path:
        sys.path.insert(0, str(STANDINS))


def require_env() -> tuple[str, str]:
    url, admin = os.environ.get("USERVILLE_API_URL"), os.environ.get("USERVILLE_ADMIN_KEY")
    if not url or not admin:
        raise AssertionError("USERVILLE_API_URL and USERVILLE_ADMIN_KEY must be set to run the live tests")
    return url, admin


def seed_task(task_id: str = DEMO_TASK) -> dict:
    for line in (ROOT / "seed" / "demo-tasks.jsonl").read_text().splitlines():
        task = json.loads(line)
        if task["id"] == task_id:
            return task
    raise AssertionError(f"{task_id} is not in seed/demo-tasks.jsonl")


def new_account(credits: int = 200_000) -> tuple[str, str]:
    """(api key, account id) of a new account made with the admin key."""
    url, admin = require_env()
    created = Client(url, admin)._post("/v1/keys", {"name": "python-live", "credits": credits})
    return created["key"], created["account_id"]


@cache
def account() -> tuple[Client, str, dict]:
    """A client on a fresh account, the id of its copy of the demo task, and the seed task (gold included)."""
    url, _ = require_env()
    key, _ = new_account()
    client = Client(url, key)
    seed = seed_task()
    hidden = {k: seed[k] for k in ("title", "hint", "files", "functions") if k in seed}
    task = client.create_task(seed["family"], seed["prompt"], **hidden)
    return client, task.id, seed


def adapter_env() -> None:
    """What a trainer's workers get: the adapters build their client from the environment."""
    client, _, _ = account()
    os.environ["USERVILLE_API_URL"] = client.base_url
    os.environ["USERVILLE_API_KEY"] = client.api_key or ""
