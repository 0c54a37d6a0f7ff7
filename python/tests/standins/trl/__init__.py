"""Stand-in of `trl.GRPOTrainer`'s environment contract (TRL 1.9.0, trl/trainer/grpo_trainer.py).

What is kept: one instance per rollout from `environment_factory()`, the probe that requires `reset` and turns
every other public method into a tool, `reset(**row)` with the whole row and its string appended to the last user
message, tool calls as `tool(**arguments)` with exceptions returned as `{"error": str(e)}`, `get_reward` as an
extra reward source (weight 1, named after the class) after the `reward_funcs`, each called with
`environments=`. Generation is a `policy(messages, tool_names) -> assistant message` callable instead of a model.
"""

from __future__ import annotations

import inspect
import json


class GRPOConfig:
    def __init__(self, reward_weights=None, max_tool_calling_iterations=8, **kwargs):
        self.reward_weights = reward_weights
        self.max_tool_calling_iterations = max_tool_calling_iterations


class GRPOTrainer:
    def __init__(
        self,
        model,
        reward_funcs=None,
        args=None,
        train_dataset=None,
        eval_dataset=None,
        processing_class=None,
        reward_processing_classes=None,
        callbacks=None,
        optimizers=(None, None),
        peft_config=None,
        tools=None,
        rollout_func=None,
        environment_factory=None,
    ):
        self.args = args or GRPOConfig()
        funcs = reward_funcs if isinstance(reward_funcs, list) else ([reward_funcs] if reward_funcs else [])
        self.reward_funcs = list(funcs)
        self.reward_func_names = [f.__name__ for f in self.reward_funcs]
        weights = self.args.reward_weights
        self.reward_weights = list(weights) if weights is not None else [1.0] * len(self.reward_funcs)
        self.train_dataset = train_dataset
        self.environment_factory = environment_factory
        self.tool_names: list[str] = []
        instance = environment_factory()
        has_reset = has_reward = False
        for name, _member in inspect.getmembers(instance, predicate=inspect.ismethod):
            if name == "reset":
                has_reset = True
            elif name == "get_reward":
                has_reward = True
            elif not name.startswith("_"):
                self.tool_names.append(name)
        if not has_reset:
            raise ValueError("Each environment instance returned by `environment_factory` must define a callable `reset`.")
        if has_reward:
            env_type = type(instance)

            def get_reward(environments, **kwargs):
                return [e.get_reward() if type(e) is env_type else None for e in environments]

            self.reward_funcs.append(get_reward)
            self.reward_func_names.append(env_type.__name__)
            self.reward_weights.append(1.0)
        self._pool = [instance]
        self.logged: list[dict[str, float]] = []

    def rollout(self, inputs, policy):
        """One batch: returns the summed reward per rollout; per-source means go to `self.logged`."""
        while len(self._pool) < len(inputs):
            self._pool.append(self.environment_factory())
        environments = self._pool[: len(inputs)]
        conversations = []
        for env, x in zip(environments, inputs, strict=True):
            prompt = list(x["prompt"])
            observation = env.reset(**x)
            if observation is not None:
                prompt = prompt[:-1] + [{**prompt[-1], "content": prompt[-1]["content"] + observation}]
            conversations.append(prompt)
        for env, messages in zip(environments, conversations, strict=True):
            tools = {name: getattr(env, name) for name in self.tool_names}
            for _ in range(self.args.max_tool_calling_iterations):
                message = policy(messages, list(tools))
                messages.append(message)
                calls = message.get("tool_calls") or []
                if not calls:
                    break
                for call in calls:
                    function = call["function"]
                    try:
                        result = tools[function["name"]](**function["arguments"])
                    except Exception as e:
                        result = {"error": str(e)}
                    content = result if isinstance(result, str) else json.dumps(result)
                    messages.append({"role": "tool", "name": function["name"], "content": content})
        columns = [f(prompts=None, completions=None, environments=environments) for f in self.reward_funcs]
        self.logged.append(
            {
                name: sum(v for v in col if v is not None) / max(1, sum(v is not None for v in col))
                for name, col in zip(self.reward_func_names, columns, strict=True)
            }
        )
        self.conversations = conversations
        return [
            sum(w * (col[i] or 0.0) for w, col in zip(self.reward_weights, columns, strict=True))
            for i in range(len(inputs))
        ]
