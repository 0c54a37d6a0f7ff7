"""Backend `tabular`: a softmax policy over interaction strategies, trained with GRPO on real sessions.

State: (task, preference, vague). Two softmax heads per state, sampled independently: which strategy to play
(`strategies.ASK_STRATEGIES`: ask nothing, one low-effort question, ask for the file and function / the sources,
several questions in one ask, and the low-effort or target questions styled for the preference), and how to
predict (`from_answer`: parse the user's replies; `guess`: from the prompt alone).

One training step: min(`batch_size`, rows) rows (cycling through the payload's rows in a seeded shuffled order) ×
`group_size` rollouts; each rollout is a real session played through the API (create, ask, act, finish), many
at once in a thread pool. Group advantages as verl computes them (`grpo.py`, verl 0.7.0), grouped by row; then
one on-policy REINFORCE step on the logits, per state:
    logits_h += lr · mean_i[A_i · (onehot(a_i) − π_h)]     for each head h,
i.e. the gradient of the surrogate −mean(A · log π(a)) that is reported as `loss` (its value before the step).

The training reward. The service's `reward` is clipped to [0, 1], and under `no_ask` every strategy on a vague
prompt scores 0 there (asking costs −1, not asking −0.5 for the silent failure): a clipped reward gives zero
advantages and nothing to learn. The tabular backend therefore trains on the unclipped weighted sum
`productivity + w_proact·proactivity + w_pers·personalization` (weights from `config["weights"]`, default 1)
by default: `config["tabular"]["reward"] = "sum"`; `"total"` uses the clipped reward, as in the paper's GRPO.
Metrics report the service's own (clipped) `reward/total` and components either way.

Step size: `config["grpo"]["learning_rate"]` is an LLM's (1e-6) and meaningless for logits; the tabular step
is `config["tabular"]["learning_rate"]`, default DEFAULT_LEARNING_RATE (2.0: with unit-scale GRPO advantages and
groups of 4, a state's best strategy passes ~0.8 probability within ~15 visits; 0.5 needs ~4× as many). `config["tabular"]["seed"]` (default 0)
seeds row order and sampling; `config["tabular"]["workers"]` (default 12) sessions are played at once.

Items payloads (`kind: "items"`, trajectories scored elsewhere) get an off-policy update: each stored trajectory
is classified into the plain strategy its questions match (no question: none; a message with several
questions: multi; asks for files / functions / sources: target; otherwise: low), and the item's own advantage
(computed by the service at submit time) is applied to that strategy's logit, once per step, with no
importance weight (the behaviour policy is unknown). The prediction head is left untouched.
"""

from __future__ import annotations

import json
import math
import os
import random
import re
import tempfile
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from ..client import Client, Score
from ..errors import UserVilleError
from . import strategies as st
from .grpo import group_advantages

DEFAULT_LEARNING_RATE = 2.0
DEFAULT_WORKERS = 12
MAX_METRICS = 32

Progress = Callable[[int, dict[str, float]], None]


def state_key(task_id: str, preference: str, vague: bool) -> str:
    return f"{task_id}|{preference}|{'vague' if vague else 'precise'}"


def predict_key(key: str) -> str:
    """The prediction head is shared by a task's states: what to predict depends on the answers, not on the
    preference, and pooling lets every row of the task train it."""
    return key.split("|", 1)[0]


def softmax(logits: list[float]) -> list[float]:
    top = max(logits)
    exps = [math.exp(x - top) for x in logits]
    total = sum(exps)
    return [e / total for e in exps]


@dataclass
class TabularSettings:
    learning_rate: float = DEFAULT_LEARNING_RATE
    seed: int = 0
    workers: int = DEFAULT_WORKERS
    reward: str = "sum"

    @classmethod
    def from_config(cls, config: dict) -> TabularSettings:
        raw = config.get("tabular") or {}
        settings = cls(
            learning_rate=float(raw.get("learning_rate", DEFAULT_LEARNING_RATE)),
            seed=int(raw.get("seed", 0)),
            workers=int(raw.get("workers", DEFAULT_WORKERS)),
            reward=str(raw.get("reward", "sum")),
        )
        if not settings.learning_rate > 0:
            raise ValueError("config.tabular.learning_rate must be > 0")
        if settings.reward not in ("sum", "total"):
            raise ValueError('config.tabular.reward must be "sum" or "total"')
        if not 1 <= settings.workers <= 64:
            raise ValueError("config.tabular.workers must be in 1..64")
        return settings


def _step(logits: list[float], chosen: list[tuple[int, float]], learning_rate: float) -> None:
    """logits += lr · mean_i[A_i · (onehot(a_i) − softmax(logits))], in place."""
    if not chosen:
        return
    probs = softmax(logits)
    grad = [0.0] * len(logits)
    for action, adv in chosen:
        for j in range(len(logits)):
            grad[j] += adv * ((1.0 if j == action else 0.0) - probs[j])
    for j in range(len(logits)):
        logits[j] += learning_rate * grad[j] / len(chosen)


@dataclass
class TabularPolicy:
    """Logits per state for the two heads; unseen states start uniform (all zeros)."""

    ask: dict[str, list[float]] = field(default_factory=dict)
    predict: dict[str, list[float]] = field(default_factory=dict)

    def _head(self, table: dict[str, list[float]], key: str, size: int) -> list[float]:
        if key not in table:
            table[key] = [0.0] * size
        return table[key]

    def ask_probs(self, key: str) -> list[float]:
        return softmax(self._head(self.ask, key, len(st.ASK_STRATEGIES)))

    def predict_probs(self, key: str) -> list[float]:
        """`key` is a state key or a task id (the head is per task, see `predict_key`)."""
        return softmax(self._head(self.predict, predict_key(key), len(st.PREDICT_MODES)))

    def sample(self, key: str, rng: random.Random) -> tuple[int, int]:
        ask = rng.choices(range(len(st.ASK_STRATEGIES)), weights=self.ask_probs(key))[0]
        mode = rng.choices(range(len(st.PREDICT_MODES)), weights=self.predict_probs(key))[0]
        return ask, mode

    def update(
        self,
        samples: list[tuple[str, int | None, int | None, float]],
        learning_rate: float,
    ) -> float:
        """One policy-gradient step from (state, ask index, predict index, advantage) samples; None leaves a
        head out. Returns the surrogate loss −mean(A·log π(a)) before the step."""
        if not samples:
            return 0.0
        by_state: dict[str, list[tuple[int | None, int | None, float]]] = {}
        loss = 0.0
        for key, ask, mode, adv in samples:
            by_state.setdefault(key, []).append((ask, mode, adv))
            logp = 0.0
            if ask is not None:
                logp += math.log(self.ask_probs(key)[ask])
            if mode is not None:
                logp += math.log(self.predict_probs(key)[mode])
            loss -= adv * logp
        loss /= len(samples)
        for key, rows in by_state.items():
            _step(self._head(self.ask, key, len(st.ASK_STRATEGIES)), [(a, adv) for a, _, adv in rows if a is not None], learning_rate)
        by_task: dict[str, list[tuple[int, float]]] = {}
        for key, _, mode, adv in samples:
            if mode is not None:
                by_task.setdefault(predict_key(key), []).append((mode, adv))
        for task, chosen in by_task.items():
            _step(self._head(self.predict, task, len(st.PREDICT_MODES)), chosen, learning_rate)
        return loss

    def ask_probability(self, key: str, family: str, preference: str) -> float:
        """Probability that the policy asks anything in this state."""
        probs = self.ask_probs(key)
        return sum(p for p, s in zip(probs, st.ASK_STRATEGIES) if st.asks_in(s, family, preference))

    def to_json(self) -> dict[str, Any]:
        states = sorted(self.ask)
        return {
            "strategies": list(st.ASK_STRATEGIES),
            "predict_modes": list(st.PREDICT_MODES),
            "states": {
                key: {
                    "ask_logits": self.ask.get(key, [0.0] * len(st.ASK_STRATEGIES)),
                    "predict_logits": self.predict.get(predict_key(key), [0.0] * len(st.PREDICT_MODES)),
                    "ask_probs": [round(p, 6) for p in self.ask_probs(key)],
                    "predict_probs": [round(p, 6) for p in self.predict_probs(key)],
                }
                for key in states
            },
        }

    def summary(self) -> dict[str, Any]:
        """Per preference (over its states), the most likely strategy and its mean probability."""
        by_pref: dict[str, list[list[float]]] = {}
        for key in self.ask:
            by_pref.setdefault(key.split("|")[1], []).append(self.ask_probs(key))
        out: dict[str, Any] = {}
        for pref, rows in sorted(by_pref.items()):
            mean = [sum(col) / len(rows) for col in zip(*rows)]
            best = max(range(len(mean)), key=mean.__getitem__)
            out[pref] = {"strategy": st.ASK_STRATEGIES[best], "probability": round(mean[best], 4)}
        return out


@dataclass
class Rollout:
    key: str
    group: int
    ask: int
    mode: int
    score: Score | None = None
    asks: int = 0
    questions: int = 0
    calls: int = 0
    service_seconds: float = 0.0
    error: str | None = None


class Clients:
    """Round-robin over one or more clients (several keys of one account spread per-key rate limits)."""

    def __init__(self, clients: list[Client]) -> None:
        if not clients:
            raise ValueError("at least one client is needed")
        self._clients = clients
        self._next = 0
        self._lock = threading.Lock()

    def take(self) -> Client:
        with self._lock:
            client = self._clients[self._next % len(self._clients)]
            self._next += 1
            return client

    @property
    def first(self) -> Client:
        return self._clients[0]


class Stopping(Exception):
    """Raised inside a rollout once the trainer is asked to stop."""


def _count_questions(text: str) -> int:
    return max(1, len(re.findall(r"[?？]+", text)))


def play(
    client: Client,
    row: dict,
    family_of: Callable[[dict, str], str],
    strategy: str,
    mode: str,
    stop: threading.Event,
) -> tuple[Score | None, int, int, int, float]:
    """Plays one session; returns (score, ask calls, questions, service calls, seconds waiting on the service)."""
    calls = 0
    waited = 0.0

    def call(fn: Callable[..., Any], *args: Any) -> Any:
        nonlocal calls, waited
        if stop.is_set():
            raise Stopping()
        t0 = time.perf_counter()
        try:
            return fn(*args)
        finally:
            calls += 1
            waited += time.perf_counter() - t0

    session = call(client.create_session, row["task_id"], row["preference"], bool(row.get("vague", True)))
    family = family_of(row, session.prompt)
    plan = st.build_plan(strategy, family, row["preference"], session.prompt)
    answers: list[str] = []
    questions = 0
    for step in plan.steps:
        if step.text is None:
            call(client.act, session.id)
        else:
            answers.append(call(client.ask, session.id, step.text).answer)
            questions += _count_questions(step.text)
    prediction = st.predict(family, answers, session.prompt, mode)
    score = call(client.finish, session.id, prediction)
    return score, len(plan.asks), questions, calls, waited


class TabularTrainer:
    def __init__(
        self,
        clients: Clients | Client,
        payload: dict,
        *,
        progress: Progress | None = None,
        stop: threading.Event | None = None,
        checkpoint_dir: str | None = None,
        log: Callable[[str], None] | None = None,
    ) -> None:
        self.clients = clients if isinstance(clients, Clients) else Clients([clients])
        self.payload = payload
        self.progress = progress or (lambda step, metrics: None)
        self.stop = stop or threading.Event()
        self.checkpoint_dir = checkpoint_dir
        self.log = log or (lambda line: None)
        self.policy = TabularPolicy()
        self._families: dict[str, str] = {}
        self._executor: ThreadPoolExecutor | None = None

    # --- setup ------------------------------------------------------------------------------------------------

    def _config(self) -> dict:
        if self.payload.get("kind") == "items":
            return {"grpo": self.payload.get("grpo") or {}, "tabular": self.payload.get("tabular") or {}}
        return self.payload.get("config") or {}

    def family_of(self, row: dict, prompt: str | None = None) -> str:
        task_id = row["task_id"]
        if row.get("family") in ("swe", "research"):
            return row["family"]
        if task_id not in self._families:
            try:
                self._families[task_id] = self.clients.first.get_task(task_id).family
            except UserVilleError as err:
                if err.status not in (403, 404) or prompt is None:
                    raise
                # A key that may not read the task: research prompts are questions, SWE prompts reports.
                self._families[task_id] = "research" if prompt.rstrip().endswith("?") else "swe"
        return self._families[task_id]

    # --- training ---------------------------------------------------------------------------------------------

    def run(self) -> dict[str, Any]:
        config = self._config()
        settings = TabularSettings.from_config(config)
        grpo = config.get("grpo") or {}
        steps = int(grpo.get("steps", 1))
        mode = str(grpo.get("advantage", "grpo"))
        if mode not in ("grpo", "dr_grpo"):
            raise ValueError(f'grpo.advantage must be "grpo" or "dr_grpo", got {mode!r}')
        if steps < 1:
            raise ValueError("grpo.steps must be at least 1")
        self._executor = ThreadPoolExecutor(max_workers=settings.workers, thread_name_prefix="rollout")
        try:
            if self.payload.get("kind") == "items":
                history = self._run_items(settings, steps)
            else:
                history = self._run_config(config, settings, steps, mode)
        finally:
            # Never wait on in-flight sessions here: a stop must return at once.
            self._executor.shutdown(wait=False, cancel_futures=True)
        checkpoint = self.save_checkpoint()
        return {
            "backend": "tabular",
            "steps": len(history),
            "checkpoint": checkpoint,
            "policy": self.policy.summary(),
            "final_metrics": history[-1] if history else {},
        }

    def _run_config(self, config: dict, settings: TabularSettings, steps: int, mode: str) -> list[dict]:
        rows = list(self.payload.get("rows") or [])
        if not rows:
            raise ValueError("the payload has no rows")
        grpo = config.get("grpo") or {}
        group_size = int(grpo.get("group_size", 8))
        batch_size = int(grpo.get("batch_size", 64))
        if group_size < 1 or batch_size < 1:
            raise ValueError("grpo.group_size and grpo.batch_size must be at least 1")
        # A step takes min(batch_size, rows) distinct rows, never one row twice: what the job reserved
        # (steps × min(rows, batch_size) × group_size sessions) is what it plays.
        batch_size = min(batch_size, len(rows))
        weights = config.get("weights") or {}
        w_proact = float(weights.get("proactivity", 1.0))
        w_pers = float(weights.get("personalization", 1.0))
        rng = random.Random(settings.seed)
        order: list[dict] = []
        history: list[dict] = []
        for step in range(1, steps + 1):
            batch: list[dict] = []
            while len(batch) < batch_size:
                if not order:
                    order = rows[:]
                    rng.shuffle(order)
                batch.append(order.pop())
            t0 = time.perf_counter()
            rollouts = self._play_batch(batch, group_size, rng)
            wall = time.perf_counter() - t0
            done = [r for r in rollouts if r.score is not None]
            if not done:
                raise RuntimeError(f"step {step}: every session failed; first error: {rollouts[0].error}")

            def reward(r: Rollout) -> float:
                s = r.score
                assert s is not None
                if settings.reward == "total":
                    return s.reward
                return s.productivity + w_proact * s.proactivity + w_pers * s.personalization

            advantages = group_advantages([reward(r) for r in done], [r.group for r in done], mode)
            loss = self.policy.update(
                [(r.key, r.ask, r.mode, a) for r, a in zip(done, advantages)], settings.learning_rate
            )
            metrics = self._metrics(done, rollouts, loss, wall, [reward(r) for r in done])
            history.append(metrics)
            self.progress(step, metrics)
        return history

    def _play_batch(self, batch: list[dict], group_size: int, rng: random.Random) -> list[Rollout]:
        assert self._executor is not None
        planned: list[tuple[Rollout, dict]] = []
        for g, row in enumerate(batch):
            key = state_key(row["task_id"], row["preference"], bool(row.get("vague", True)))
            for _ in range(group_size):
                ask, mode = self.policy.sample(key, rng)
                planned.append((Rollout(key, g, ask, mode), row))
        futures: list[Future] = [self._executor.submit(self._play_one, r, row) for r, row in planned]
        for future in futures:
            future.result()  # _play_one never raises except Stopping
        return [r for r, _ in planned]

    def _play_one(self, rollout: Rollout, row: dict) -> None:
        client = self.clients.take()
        try:
            score, asks, questions, calls, waited = play(
                client, row, self.family_of, st.ASK_STRATEGIES[rollout.ask], st.PREDICT_MODES[rollout.mode], self.stop
            )
            rollout.score, rollout.asks, rollout.questions = score, asks, questions
            rollout.calls, rollout.service_seconds = calls, waited
            if score is None:
                rollout.error = "finish returned no score"
        except Stopping:
            raise
        except UserVilleError as err:
            if err.status in (401, 402):
                raise  # the job ended or ran out of credits: nothing more will work
            rollout.error = f"{err.status} {err.code}: {err.message}"
            self.log(f"rollout failed: {rollout.error}")

    def _metrics(
        self, done: list[Rollout], rollouts: list[Rollout], loss: float, wall: float, train_rewards: list[float]
    ) -> dict[str, float]:
        n = len(done)
        mean = lambda xs: sum(xs) / len(xs) if xs else 0.0  # noqa: E731
        scores = [r.score for r in done if r.score is not None]
        ask_counts = [0.0] * len(st.ASK_STRATEGIES)
        for r in done:
            ask_counts[r.ask] += 1
        calls = sum(r.calls for r in rollouts)
        waited = sum(r.service_seconds for r in rollouts)
        workers = self._executor._max_workers if self._executor else 1  # noqa: SLF001
        metrics: dict[str, float] = {
            "reward/total": mean([s.reward for s in scores]),
            "reward/productivity": mean([s.productivity for s in scores]),
            "reward/proactivity": mean([s.proactivity for s in scores]),
            "reward/personalization": mean([s.personalization for s in scores]),
            "reward/train": mean(train_rewards),
            "ask_ratio": mean([1.0 if r.asks > 0 else 0.0 for r in done]),
            "questions/mean": mean([float(r.questions) for r in done]),
            "asks/mean": mean([float(r.asks) for r in done]),
            "loss": loss,
            "sessions": float(n),
            "sessions/failed": float(len(rollouts) - n),
            "time/step_s": wall,
            "service/calls": float(calls),
            # Time threads spent waiting on HTTP over the time they had (wall × workers).
            "service/wait_share": min(1.0, waited / (wall * workers)) if wall > 0 else 0.0,
            "policy/entropy": mean([self._entropy(r.key) for r in done]),
        }
        for name, count in zip(st.ASK_STRATEGIES, ask_counts):
            metrics[f"strategy/{name}"] = count / n if n else 0.0
        return dict(list(metrics.items())[:MAX_METRICS])

    def _entropy(self, key: str) -> float:
        return -sum(p * math.log(p) for p in self.policy.ask_probs(key) if p > 0)

    # --- items (off-policy) -------------------------------------------------------------------------------

    def _run_items(self, settings: TabularSettings, steps: int) -> list[dict]:
        items = list(self.payload.get("items") or [])
        if not items:
            raise ValueError("the payload has no items")
        samples = []
        for item in items:
            if item.get("advantage") is None:
                raise ValueError('items need an "advantage": submit them with advantage "grpo" or "dr_grpo"')
            task_id = item.get("task_id") or (item.get("task") or {}).get("id") or item.get("group") or "inline"
            key = state_key(str(task_id), str(item.get("preference")), bool(item.get("vague", True)))
            samples.append((key, st.ASK_STRATEGIES.index(classify_trajectory(item)), None, float(item["advantage"])))
        history = []
        mean = lambda xs: sum(xs) / len(xs)  # noqa: E731
        for step in range(1, steps + 1):
            if self.stop.is_set():
                raise Stopping()
            t0 = time.perf_counter()
            loss = self.policy.update(samples, settings.learning_rate)
            metrics = {
                "reward/total": mean([float(i.get("reward", 0)) for i in items]),
                "reward/productivity": mean([float(i.get("productivity", 0)) for i in items]),
                "reward/proactivity": mean([float(i.get("proactivity", 0)) for i in items]),
                "reward/personalization": mean([float(i.get("personalization", 0)) for i in items]),
                "ask_ratio": mean([1.0 if _questions_of(i) else 0.0 for i in items]),
                "questions/mean": mean([float(sum(_count_questions(q) for q in _questions_of(i))) for i in items]),
                "loss": loss,
                "items": float(len(items)),
                "time/step_s": time.perf_counter() - t0,
            }
            history.append(metrics)
            self.progress(step, metrics)
        return history

    # --- checkpoint -------------------------------------------------------------------------------------------

    def save_checkpoint(self) -> str:
        directory = self.checkpoint_dir or os.environ.get("USERVILLE_CHECKPOINT_DIR") or tempfile.mkdtemp(
            prefix="userville-tabular-"
        )
        os.makedirs(directory, exist_ok=True)
        path = os.path.join(directory, "policy.json")
        tmp = f"{path}.tmp"
        with open(tmp, "w", encoding="utf-8") as fh:
            json.dump(self.policy.to_json(), fh, indent=1, sort_keys=True)
        os.replace(tmp, path)
        return os.path.abspath(path)


def _questions_of(item: dict) -> list[str]:
    """The ask texts of a score item, from `questions` or from OpenAI-style `messages` tool calls."""
    if isinstance(item.get("questions"), list):
        return [str(q.get("text", "")) for q in item["questions"] if isinstance(q, dict)]
    out = []
    for message in item.get("messages") or []:
        for call in (message or {}).get("tool_calls") or []:
            fn = (call or {}).get("function") or {}
            if fn.get("name") in ("ask_question", "ask_user"):
                try:
                    args = json.loads(fn.get("arguments") or "{}")
                except ValueError:
                    args = {}
                out.append(str(args.get("query", "")))
    return out


_TARGET_WORDS = re.compile(
    r"\b(?:files?|functions?|methods?|class(?:es)?|modules?|paths?|documents?|sources?|articles?|pages?|links?)\b",
    re.IGNORECASE,
)


def classify_trajectory(item: dict) -> str:
    """The plain strategy a stored trajectory's questions look like (see the module docstring)."""
    questions = _questions_of(item)
    if not questions:
        return st.NONE
    if any(_count_questions(q) > 1 for q in questions):
        return st.MULTI
    if any(_TARGET_WORDS.search(q) for q in questions):
        return st.TARGET
    return st.LOW
