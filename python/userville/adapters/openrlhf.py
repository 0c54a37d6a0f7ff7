"""OpenRLHF adapter: `AgentInstance` / `AgentExecutor` for `--train.agent_func_path`.

Follows OpenRLHF 0.11.0 (`openrlhf/utils/agent.py`, `examples/python/agent_func.py`): the vLLM engine loads the
file given to `--train.agent_func_path`, takes its `AgentExecutor` (a `MultiTurnAgentExecutor`), which builds one
`AgentInstance()` per prompt, awaits `reset({"observation": prompt, "label": label})` → `{"observation"}`, then
per generated action awaits `step({"observation_text", "action_text", "label", "sampling_params"})` →
`{"rewards", "scores", "environment_feedback", "done", "sampling_params", "extra_logs"}`; feedback tokens are
outside the action ranges, so the simulated user's replies are not trained on.

The label (`--label_key`) is the session as JSON: `{"task_id", "preference", "vague"}`. The observation (the
prompt, already chat-templated) gets the session's prompt in place of `<userville_prompt>`, or appended.
An action with `<tool_call>{"name": "ask_question", "arguments": {"question": ...}}</tool_call>` asks the user;
any other action is the final answer. USERVILLE_API_URL / USERVILLE_API_KEY configure the client.

    python -m openrlhf.cli.train_ppo_ray ... --train.agent_func_path \\
        "$(python -c 'import userville.adapters.openrlhf as m; print(m.__file__)')" --label_key userville
"""

from __future__ import annotations

import asyncio
from typing import Any

from ..client import Client, Score
from ..errors import UserVilleError
from . import ASK_TOOL_NAMES, env_client, parse_tool_calls, prediction_of, question_of, session_row

try:
    from openrlhf.utils.agent import AgentInstanceBase, MultiTurnAgentExecutor
except ImportError as err:  # pragma: no cover - exercised only without OpenRLHF
    raise ImportError(
        "userville.adapters.openrlhf needs OpenRLHF >= 0.11 (openrlhf.utils.agent): pip install 'openrlhf==0.11.0'"
    ) from err

PROMPT_MARKER = "<userville_prompt>"


def _reward(value: float) -> Any:
    """OpenRLHF reads `rewards.item()`: a tensor when torch is there (always, in a real run)."""
    try:
        import torch
    except ImportError:
        return _Scalar(value)
    return torch.tensor(value)


class _Scalar(float):
    def item(self) -> float:
        return float(self)


class AgentInstance(AgentInstanceBase):
    prompt_template = "{prompt}\n\nThe user's preference for how you ask: {preference}"
    # Chat-template text around the user's reply (Qwen / hermes by default); the next turn opens after it.
    feedback_template = (
        "<|im_end|>\n<|im_start|>user\n<tool_response>\n{reply}\n</tool_response><|im_end|>\n<|im_start|>assistant\n"
    )
    max_turns = 8

    def __init__(self, *args: Any, client: Client | None = None, **kwargs: Any) -> None:
        self.client = client or env_client()
        self.session_id: str | None = None
        self.turns = 0
        self.score: Score | None = None

    async def reset(self, states: dict, **kwargs: Any) -> dict:
        settings = session_row(states["label"])
        session = await asyncio.to_thread(
            self.client.create_session, settings["task_id"], settings["preference"], settings["vague"]
        )
        self.session_id, self.turns, self.score = session.id, 0, None
        text = self.prompt_template.format(prompt=session.prompt, preference=session.preference_description)
        observation = str(states.get("observation") or "")
        if PROMPT_MARKER in observation:
            return {"observation": observation.replace(PROMPT_MARKER, text)}
        return {"observation": f"{observation}{text}" if observation else text}

    async def step(self, states: dict, **kwargs: Any) -> dict:
        if self.session_id is None:
            raise RuntimeError("step() before reset()")
        self.turns += 1
        content, calls = parse_tool_calls(str(states.get("action_text") or ""))
        asks = [args for name, args in calls if name in ASK_TOOL_NAMES]
        if asks and self.turns < self.max_turns:
            replies = [await self._ask(question_of(args)) for args in asks]
            return {
                "rewards": _reward(0.0),
                "scores": _reward(0.0),
                "environment_feedback": "".join(self.feedback_template.format(reply=r) for r in replies),
                "done": False,
                "sampling_params": states.get("sampling_params"),
                "extra_logs": {},
            }
        self.score = await asyncio.to_thread(self.client.finish, self.session_id, prediction_of(_bare(content)))
        reward = 0.0 if self.score is None else self.score.reward
        logs = {"productivity": 0.0, "proactivity": 0.0, "personalization": 0.0}
        if self.score is not None:
            logs = {k: float(getattr(self.score, k)) for k in logs}
        return {
            "rewards": _reward(reward),
            "scores": _reward(reward),
            "environment_feedback": "",
            "done": True,
            "sampling_params": states.get("sampling_params"),
            "extra_logs": logs,
        }

    async def _ask(self, question: str) -> str:
        if not question:
            return "Error: ask_question needs a non-empty `question`."
        assert self.session_id is not None
        try:
            return (await asyncio.to_thread(self.client.ask, self.session_id, question)).answer
        except UserVilleError as err:
            if err.status is not None and 400 <= err.status < 500:
                return f"Error: {err.message}"
            raise


def _bare(text: str) -> str:
    """The answer without chat-template end tokens the engine may have left in the action text."""
    for token in ("<|im_end|>", "<|endoftext|>", "</s>", "<|eot_id|>"):
        text = text.replace(token, "")
    return text.strip()


class AgentExecutor(MultiTurnAgentExecutor):
    def __init__(self) -> None:
        super().__init__(AgentInstance)
