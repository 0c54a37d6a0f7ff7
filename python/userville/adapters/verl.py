"""verl adapter: `UserVilleAgentLoop`, one rollout played as one UserVille session.

Follows verl 0.7.0 (`verl/experimental/agent_loop/agent_loop.py`, `tool_agent_loop.py`, `tool_parser.py`):
the agent-loop worker instantiates the class registered under `agent_name` (here `userville_agent`, by
`@register` or by the YAML at `actor_rollout_ref.rollout.agent.agent_loop_config_path`) with `trainer_config`,
`server_manager`, `tokenizer`, `processor`, `dataset_cls`, `dataset_config`, then awaits
`run(sampling_params, **row)` where `row` holds the dataset fields (`raw_prompt`, `extra_info`, ...).

The loop generates with `server_manager.generate(request_id=, prompt_ids=, sampling_params=)`, parses tool calls
with verl's own parser (`multi_turn.format`, default hermes), sends each `ask_question` to the simulated user and
appends the reply as a tool message whose tokens get `response_mask` 0 (kept out of the loss), exactly as
`ToolAgentLoop` treats tool responses. A turn without a tool call is the final answer: the session is finished and
the output carries `reward_score` and `extra_fields["reward_extra_info"]` (productivity, proactivity,
personalization, questions), which verl puts in `rm_scores` and the batch's reward extras.

Dataset rows name the session in `extra_info` (or at top level): `{"task_id", "preference", "vague"}`.
The API is reached with USERVILLE_API_URL / USERVILLE_API_KEY, read in each rollout worker.
"""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any
from uuid import uuid4

from ..client import Client
from ..errors import UserVilleError
from . import (
    ASK_QUESTION_TOOL,
    ASK_TOOL_NAMES,
    env_client,
    parse_tool_calls,
    prediction_of,
    question_of,
    session_row,
)

try:
    from verl.experimental.agent_loop.agent_loop import AgentLoopBase, AgentLoopOutput, register
    from verl.experimental.agent_loop.tool_parser import ToolParser
except ImportError as err:  # pragma: no cover - exercised only without verl
    raise ImportError(
        "userville.adapters.verl needs verl >= 0.7 (verl.experimental.agent_loop); install it on the training "
        "image: pip install 'verl==0.7.0'"
    ) from err

AGENT_NAME = "userville_agent"
REWARD_EXTRA_KEYS = ("productivity", "proactivity", "personalization", "questions")


def _cfg(node: Any, path: str, default: Any) -> Any:
    for part in path.split("."):
        if node is None:
            return default
        node = node.get(part) if hasattr(node, "get") else getattr(node, part, None)
    return default if node is None else node


@register(AGENT_NAME)
class UserVilleAgentLoop(AgentLoopBase):
    prompt_template = "{prompt}\n\nThe user's preference for how you ask: {preference}"

    def __init__(self, trainer_config: Any, server_manager: Any, tokenizer: Any, processor: Any, **kwargs: Any):
        super().__init__(trainer_config, server_manager, tokenizer, processor, **kwargs)
        rollout = _cfg(self.config, "actor_rollout_ref.rollout", None)
        self.prompt_length = int(_cfg(rollout, "prompt_length", 4096))
        self.response_length = int(_cfg(rollout, "response_length", 4096))
        self.max_assistant_turns = int(_cfg(rollout, "multi_turn.max_assistant_turns", 0) or 8)
        self.tool_parser = ToolParser.get_tool_parser(_cfg(rollout, "multi_turn.format", "hermes"), self.tokenizer)
        self.client: Client = env_client()

    async def run(self, sampling_params: dict[str, Any], **kwargs: Any) -> AgentLoopOutput:
        extra = kwargs.get("extra_info") or {}
        settings = session_row(extra if ("task_id" in extra or "userville" in extra) else kwargs)
        session = await asyncio.to_thread(
            self.client.create_session, settings["task_id"], settings["preference"], settings["vague"]
        )
        messages = self._messages(list(kwargs.get("raw_prompt") or []), session)
        prompt_ids = await self.apply_chat_template(messages, tools=[ASK_QUESTION_TOOL])

        request_id = uuid4().hex
        response_ids: list[int] = []
        response_mask: list[int] = []
        logprobs: list[float] = []
        metrics = {"generate_sequences": 0.0, "tool_calls": 0.0}
        assistant_turns = user_turns = 0
        final_text = ""
        while True:
            started = time.perf_counter()
            output = await self.server_manager.generate(
                request_id=request_id, prompt_ids=prompt_ids + response_ids, sampling_params=sampling_params
            )
            metrics["generate_sequences"] += time.perf_counter() - started
            assistant_turns += 1
            response_ids += output.token_ids
            response_mask += [1] * len(output.token_ids)
            if output.log_probs:
                logprobs += output.log_probs
            if len(response_mask) >= self.response_length or assistant_turns >= self.max_assistant_turns:
                break
            _, calls = await self.tool_parser.extract_tool_calls(output.token_ids)
            asks = [c for c in calls if c.name in ASK_TOOL_NAMES]
            if not asks:
                final_text = await self._answer_text(output.token_ids)
                break
            started = time.perf_counter()
            replies = [await self._ask(session.id, call.arguments) for call in asks]
            metrics["tool_calls"] += time.perf_counter() - started
            tool_ids = await self.apply_chat_template(
                [{"role": "tool", "content": reply} for reply in replies], remove_system_prompt=True
            )
            if len(response_mask) + len(tool_ids) >= self.response_length:
                break
            response_ids += tool_ids
            response_mask += [0] * len(tool_ids)
            if logprobs:
                logprobs += [0.0] * len(tool_ids)
            user_turns += 1

        score = await asyncio.to_thread(self.client.finish, session.id, prediction_of(final_text))
        extra_info = {key: 0.0 for key in REWARD_EXTRA_KEYS}
        if score is not None:
            extra_info.update(
                productivity=score.productivity,
                proactivity=score.proactivity,
                personalization=score.personalization,
                questions=float(score.metrics.get("questions", 0)),
            )
        return AgentLoopOutput(
            prompt_ids=prompt_ids,
            response_ids=response_ids[: self.response_length],
            response_mask=response_mask[: self.response_length],
            response_logprobs=logprobs[: self.response_length] if logprobs else None,
            reward_score=None if score is None else score.reward,
            num_turns=user_turns + assistant_turns + 1,
            metrics=metrics,
            extra_fields={"reward_extra_info": extra_info, "userville_session_id": session.id},
        )

    def _messages(self, raw_prompt: list[dict[str, Any]], session: Any) -> list[dict[str, Any]]:
        text = self.prompt_template.format(prompt=session.prompt, preference=session.preference_description)
        for i in range(len(raw_prompt) - 1, -1, -1):
            if raw_prompt[i].get("role") == "user" and isinstance(raw_prompt[i].get("content"), str):
                content = raw_prompt[i]["content"]
                raw_prompt[i] = {**raw_prompt[i], "content": f"{content}\n\n{text}" if content else text}
                return raw_prompt
        return [*raw_prompt, {"role": "user", "content": text}]

    async def _answer_text(self, token_ids: list[int]) -> str:
        text = await self.loop.run_in_executor(
            None, lambda: self.tokenizer.decode(token_ids, skip_special_tokens=True)
        )
        return parse_tool_calls(text)[0]

    async def _ask(self, session_id: str, arguments: str) -> str:
        try:
            args = json.loads(arguments) if arguments else {}
        except ValueError:
            return "Error: the tool arguments are not valid JSON."
        question = question_of(args if isinstance(args, dict) else {})
        if not question:
            return "Error: ask_question needs a non-empty `question`."
        try:
            return (await asyncio.to_thread(self.client.ask, session_id, question)).answer
        except UserVilleError as err:
            if err.status is not None and 400 <= err.status < 500:
                return f"Error: {err.message}"
            raise
