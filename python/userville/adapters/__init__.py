"""Adapters for trainers' own extension points. Import the one you need; each imports its framework itself.

- `userville.adapters.trl`: `UserVilleEnv` for `trl.GRPOTrainer(environment_factory=...)` (TRL 1.9.0).
- `userville.adapters.verl`: `UserVilleAgentLoop`, registered as `userville_agent` (verl 0.7.0), plus
  `verl_agent_loop.yaml` for `actor_rollout_ref.rollout.agent.agent_loop_config_path`.
- `userville.adapters.openrlhf`: `AgentInstance` / `AgentExecutor` for `--train.agent_func_path` (OpenRLHF 0.11.0).

Each reads its session settings from a dataset row: `task_id`, `preference`, `vague` (see `session_row`).
"""

from __future__ import annotations

import json
import re
import os
from pathlib import Path
from typing import Any

VERL_AGENT_LOOP_YAML = str(Path(__file__).with_name("verl_agent_loop.yaml"))


def session_row(row: Any) -> dict[str, Any]:
    """`{"task_id", "preference", "vague"}` from a dataset row: a dict, or a JSON string (OpenRLHF's label)."""
    if isinstance(row, str):
        row = json.loads(row)
    if not isinstance(row, dict):
        raise TypeError(f"expected a mapping with task_id and preference, got {type(row).__name__}")
    nested = row.get("userville")
    if isinstance(nested, dict):
        row = nested
    missing = [k for k in ("task_id", "preference") if not row.get(k)]
    if missing:
        raise KeyError(f"the row lacks {', '.join(missing)}: give task_id and preference (and optionally vague)")
    vague = row.get("vague", True)
    if isinstance(vague, str):
        vague = vague.strip().lower() not in ("false", "0", "no")
    return {"task_id": str(row["task_id"]), "preference": str(row["preference"]), "vague": bool(vague)}


def prediction_of(answer: Any) -> str | list[str]:
    """The agent's final answer as the service takes it: a list of functions stays a list, else a string."""
    if isinstance(answer, list):
        return [str(a) for a in answer]
    text = str(answer).strip()
    if text.startswith("["):
        try:
            parsed = json.loads(text)
        except ValueError:
            return text
        if isinstance(parsed, list):
            return [str(a) for a in parsed]
    return text


def env_client():
    """The client adapters use when the framework builds them without arguments (USERVILLE_API_URL / _KEY)."""
    from ..client import Client

    if not os.environ.get("USERVILLE_API_URL"):
        raise RuntimeError("USERVILLE_API_URL (and USERVILLE_API_KEY) must be set for the UserVille adapters")
    return Client.from_env()


# The policy's one tool in verl and OpenRLHF (OpenAI function-tool schema, as chat templates render it).
ASK_QUESTION_TOOL: dict[str, Any] = {
    "type": "function",
    "function": {
        "name": "ask_question",
        "description": "Ask the user one question about the task. The user answers in their own words.",
        "parameters": {
            "type": "object",
            "properties": {"question": {"type": "string", "description": "The question for the user."}},
            "required": ["question"],
        },
    },
}
ASK_TOOL_NAMES = ("ask_question", "ask_user")

_TOOL_CALL = re.compile(r"<tool_call>(.*?)</tool_call>", re.DOTALL)


def parse_tool_calls(text: str) -> tuple[str, list[tuple[str, dict[str, Any]]]]:
    """Hermes-style `<tool_call>{"name", "arguments"}</tool_call>` blocks: (text without them, [(name, args)])."""
    calls: list[tuple[str, dict[str, Any]]] = []
    for block in _TOOL_CALL.findall(text):
        try:
            parsed = json.loads(block)
        except ValueError:
            continue
        if not isinstance(parsed, dict) or not isinstance(parsed.get("name"), str):
            continue
        args = parsed.get("arguments") or {}
        if isinstance(args, str):
            try:
                args = json.loads(args)
            except ValueError:
                args = {}
        calls.append((parsed["name"], args if isinstance(args, dict) else {}))
    return _TOOL_CALL.sub("", text).strip(), calls


def question_of(args: dict[str, Any]) -> str:
    return str(args.get("question") or args.get("query") or "").strip()
