"""Stand-in of OpenRLHF 0.11.0 `openrlhf/utils/agent.py`: the base classes and `MultiTurnAgentExecutor.execute`
as the real one runs it, without VLM inputs and rollout log-probs."""

from __future__ import annotations

from abc import ABC, abstractmethod
from copy import deepcopy


class AgentExecutorBase(ABC):
    @abstractmethod
    async def execute(self, prompt, label, sampling_params, max_length: int, hf_tokenizer, llm_engine, images=None):
        raise NotImplementedError


class AgentInstanceBase(ABC):
    @abstractmethod
    def __init__(self, *args, **kwargs):
        pass

    async def reset(self, states: dict, **kwargs):
        return states

    @abstractmethod
    async def step(self, state_dict: dict, **kwargs):
        raise NotImplementedError


class MultiTurnAgentExecutor(AgentExecutorBase):
    def __init__(self, agent_instance_cls):
        assert issubclass(agent_instance_cls, AgentInstanceBase), "AgentInstance must inherit from AgentInstanceBase"
        self.agent_instance_cls = agent_instance_cls

    async def execute(self, prompt, label, sampling_params, max_length: int, hf_tokenizer, llm_engine, images=None):
        agent_instance = self.agent_instance_cls()
        reset_result = await agent_instance.reset({"observation": prompt, "label": label})
        observation_text = reset_result["observation"]
        current_obs_tokens = hf_tokenizer.encode(observation_text, add_special_tokens=False)
        action_ranges = []
        total_reward = 0
        final_scores = 0
        extra_logs = {}
        while True:
            sampling_params.max_tokens = max_length - len(current_obs_tokens)
            if sampling_params.max_tokens <= 0:
                break
            request_output = await llm_engine.generate(current_obs_tokens, deepcopy(sampling_params))
            action_tokens = request_output.outputs[0].token_ids
            action_text = request_output.outputs[0].text
            action_start = len(current_obs_tokens)
            action_ranges.append((action_start, action_start + len(action_tokens)))
            states = {
                "observation_text": observation_text,
                "action_text": action_text,
                "label": label,
                "sampling_params": sampling_params,
            }
            step_result = await agent_instance.step(states)
            total_reward += step_result["rewards"].item()
            final_scores = step_result.get("scores", total_reward)
            feedback_text = step_result["environment_feedback"]
            done = step_result["done"]
            extra_logs = step_result.get("extra_logs", {})
            feedback_tokens = hf_tokenizer.encode(feedback_text, add_special_tokens=False)
            observation_text = observation_text + action_text + feedback_text
            current_obs_tokens = current_obs_tokens + action_tokens + feedback_tokens
            if step_result.get("sampling_params", None):
                sampling_params = step_result["sampling_params"]
            if done:
                break
        return {
            "prompt": prompt,
            "label": label,
            "reward": total_reward,
            "scores": final_scores,
            "observation_tokens": current_obs_tokens,
            "action_ranges": action_ranges,
            "extra_logs": extra_logs,
        }
