"""TRL adapter: a UserVille session as a `GRPOTrainer(environment_factory=...)` environment.

Follows TRL 1.9.0 (`trl/trainer/grpo_trainer.py`, "Environments" in docs/source/grpo_trainer.md): the trainer
builds one instance per rollout with `environment_factory()` (no arguments), calls `reset(**row)` with the
dataset row's columns and appends the returned string to the last user message, exposes every public method
except `reset` / `get_reward` as a tool (schema from the signature and the Google-style docstring; an exception
becomes `{"error": ...}` for the model), and calls `get_reward()` once per finished rollout as a reward source
named after the class, weight 1. Requires transformers >= 5.2.0 on the TRL side.

    from trl import GRPOConfig, GRPOTrainer
    from userville.adapters.trl import UserVilleEnv, component_rewards

    trainer = GRPOTrainer(
        model="Qwen/Qwen3-0.6B",
        train_dataset=rows,  # columns: prompt, task_id, preference, vague
        reward_funcs=component_rewards(),  # logged only:
        args=GRPOConfig(reward_weights=[0.0, 0.0, 0.0]),
        environment_factory=UserVilleEnv,  # USERVILLE_API_URL / USERVILLE_API_KEY
    )
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from ..client import Client, Score
from ..errors import UserVilleError
from . import env_client, prediction_of, session_row

logger = logging.getLogger(__name__)

COMPONENTS = ("productivity", "proactivity", "personalization")


class UserVilleEnv:
    """One rollout = one session with a simulated user. Tools: `ask_user`, `finish`."""

    # The text appended to the row's prompt: what the agent sees of the task and of its user.
    prompt_template = "{prompt}\n\nThe user's preference for how you ask: {preference}"

    def __init__(self, client: Client | None = None) -> None:
        self._client = client or env_client()
        self._session_id: str | None = None
        self._score: Score | None = None
        self._finished = False

    def reset(self, **row: Any) -> str:
        """Opens a session for the row's `task_id` / `preference` / `vague`; returns what the agent sees."""
        settings = session_row(row)
        session = self._client.create_session(settings["task_id"], settings["preference"], settings["vague"])
        self._session_id = session.id
        self._score = None
        self._finished = False
        return self.prompt_template.format(prompt=session.prompt, preference=session.preference_description)

    def ask_user(self, query: str) -> str:
        """
        Ask the user one question about the task. Keep it short and in the style the user prefers.

        Args:
            query: The question for the user.

        Returns:
            The user's reply.
        """
        if self._session_id is None or self._finished:
            raise RuntimeError("No open session: the answer was already submitted.")
        try:
            return self._client.ask(self._session_id, query).answer
        except UserVilleError as err:
            if err.status is not None and 400 <= err.status < 500:
                raise RuntimeError(err.message) from None
            raise

    def finish(self, answer: str) -> str:
        """
        Submit the final answer and end the conversation.

        Args:
            answer: The final answer: the function(s) to change (`path::Class.method`), or the answer text.

        Returns:
            A confirmation.
        """
        if self._session_id is None or self._finished:
            raise RuntimeError("The answer was already submitted.")
        self._close(answer)
        return "Submitted."

    def get_reward(self) -> float:
        """The session's PPP reward; a rollout that never called `finish` is scored with an empty answer."""
        score = self._final_score()
        return 0.0 if score is None else score.reward

    def _close(self, answer: Any) -> None:
        assert self._session_id is not None
        self._finished = True
        self._score = self._client.finish(self._session_id, prediction_of(answer))
        if self._score is not None:
            logger.info(
                "userville session %s: reward %.4f productivity %.4f proactivity %.4f personalization %.4f",
                self._session_id,
                self._score.reward,
                self._score.productivity,
                self._score.proactivity,
                self._score.personalization,
            )

    def _final_score(self) -> Score | None:
        if self._session_id is None:
            raise RuntimeError("get_reward() before reset()")
        if not self._finished:
            self._close("")
        return self._score


def _component(name: str) -> Callable[..., list[float | None]]:
    def reward(environments: list[Any] | None = None, **kwargs: Any) -> list[float | None]:
        out: list[float | None] = []
        for env in environments or []:
            score = env._final_score() if isinstance(env, UserVilleEnv) else None
            out.append(None if score is None else float(getattr(score, name)))
        return out

    reward.__name__ = f"userville_{name}"
    reward.__qualname__ = reward.__name__
    return reward


def component_rewards() -> list[Callable[..., list[float | None]]]:
    """Three reward functions reading each rollout's components, for TRL to log (give them weight 0)."""
    return [_component(name) for name in COMPONENTS]


def grpo_trainer(**kwargs: Any) -> Any:
    """`trl.GRPOTrainer(environment_factory=UserVilleEnv, **kwargs)`, with TRL imported only here."""
    try:
        from trl import GRPOTrainer
    except ImportError as err:
        raise ImportError(
            "userville.adapters.trl.grpo_trainer needs TRL >= 0.29 with environment_factory "
            "(pip install 'trl>=1.9' 'transformers>=5.2')"
        ) from err
    kwargs.setdefault("environment_factory", UserVilleEnv)
    return GRPOTrainer(**kwargs)
