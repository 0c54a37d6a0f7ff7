"""Stand-in of verl 0.7.0 `verl/experimental/agent_loop/agent_loop.py`: the same names and signatures.

`AgentLoopOutput` is a dataclass here (pydantic in verl) with the same fields; `run_agent_loop` does what
`AgentLoopWorker._run_agent_loop` does: look up the registry entry, instantiate its `_target_` with the same
keyword arguments (hydra.utils.instantiate in verl), await `run(sampling_params, **kwargs)`.
"""

from __future__ import annotations

import asyncio
import importlib
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Any, Optional


@dataclass
class TokenOutput:
    token_ids: list[int]
    log_probs: Optional[list[float]] = None
    routed_experts: Any = None
    stop_reason: Optional[str] = None


@dataclass
class AgentLoopOutput:
    prompt_ids: list[int]
    response_ids: list[int]
    response_mask: list[int]
    metrics: dict[str, Any]
    response_logprobs: Optional[list[float]] = None
    routed_experts: Any = None
    multi_modal_data: Optional[dict[str, Any]] = None
    reward_score: Optional[float] = None
    num_turns: int = 0
    extra_fields: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self):
        for name in ("prompt_ids", "response_ids", "response_mask"):
            value = getattr(self, name)
            if not isinstance(value, list) or not all(isinstance(v, int) for v in value):
                raise TypeError(f"{name} must be a list of int")
        if len(self.response_ids) != len(self.response_mask):
            raise ValueError("response_ids and response_mask differ in length")


class DictConfigWrap:
    def __init__(self, config):
        self.config = config


class AgentLoopBase(ABC):
    def __init__(self, trainer_config, server_manager, tokenizer, processor, dataset_cls, dataset_config, **kwargs):
        self.config = trainer_config.config
        self.server_manager = server_manager
        self.tokenizer = tokenizer
        self.processor = processor
        self.dataset_cls = dataset_cls
        self.dataset_config = dataset_config
        self.apply_chat_template_kwargs = dataset_config.get("apply_chat_template_kwargs", {})
        self.system_prompt = tokenizer.apply_chat_template([{}], add_generation_prompt=False, tokenize=True)
        self.loop = asyncio.get_event_loop()

    async def apply_chat_template(self, messages, tools=None, images=None, videos=None, remove_system_prompt=False):
        prompt_ids = await self.loop.run_in_executor(
            None,
            lambda: self.tokenizer.apply_chat_template(
                messages, tools=tools, add_generation_prompt=True, tokenize=True, **self.apply_chat_template_kwargs
            ),
        )
        if remove_system_prompt:
            prompt_ids = prompt_ids[len(self.system_prompt) :]
        return prompt_ids

    @abstractmethod
    async def run(self, sampling_params: dict[str, Any], **kwargs) -> AgentLoopOutput:
        raise NotImplementedError


_agent_loop_registry: dict[str, dict] = {}


def register(agent_name: str):
    def decorator(subclass):
        _agent_loop_registry[agent_name] = {"_target_": f"{subclass.__module__}.{subclass.__qualname__}"}
        return subclass

    return decorator


def _instantiate(config: dict, **kwargs):
    module, _, name = config["_target_"].rpartition(".")
    return getattr(importlib.import_module(module), name)(**kwargs)


async def run_agent_loop(agent_name, *, config, server_manager, tokenizer, sampling_params, **kwargs):
    assert agent_name in _agent_loop_registry, f"Agent loop {agent_name} not registered"
    agent_loop = _instantiate(
        _agent_loop_registry[agent_name],
        trainer_config=DictConfigWrap(config=config),
        server_manager=server_manager,
        tokenizer=tokenizer,
        processor=None,
        dataset_cls=None,
        dataset_config=config.get("data", {}),
    )
    output = await agent_loop.run(sampling_params, **kwargs)
    assert isinstance(output, AgentLoopOutput)
    output.extra_fields["raw_prompt"] = kwargs["raw_prompt"]
    return output
