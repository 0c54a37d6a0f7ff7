"""`Client`: one method per route a trainer or evaluator uses, typed results, safe retries.

Every POST carries an `Idempotency-Key` (one uuid4 per logical call, the same on each of its retries), so a retry
after a lost response replays the first answer instead of charging twice (the service keeps keys for 24 h).
429, 5xx and network errors are retried with exponential backoff and jitter; `Retry-After` wins when present.
"""

from __future__ import annotations

import email.utils
import json
import os
import random
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from . import __version__
from .errors import UserVilleError

T = TypeVar("T")

RETRY_AFTER_CAP_SECONDS = 60.0


@dataclass
class HttpResponse:
    status: int
    headers: Mapping[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body.decode("utf-8")) if self.body else None


def retry_after_seconds(value: str | None, now: float | None = None) -> float | None:
    """`Retry-After` as seconds: delta-seconds or an HTTP date; None when absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


class Transport:
    """urllib with retries. `headers` may be a callable, called once per attempt (fresh signatures)."""

    def __init__(
        self,
        *,
        timeout: float = 30.0,
        max_retries: int = 4,
        user_agent: str | None = None,
        backoff_base: float = 0.5,
        backoff_cap: float = 20.0,
    ) -> None:
        self.timeout = timeout
        self.max_retries = max_retries
        self.user_agent = user_agent or f"userville-python/{__version__}"
        self.backoff_base = backoff_base
        self.backoff_cap = backoff_cap
        self.sleep: Callable[[float], None] = time.sleep

    def delay(self, attempt: int, retry_after: str | None) -> float:
        hinted = retry_after_seconds(retry_after)
        if hinted is not None:
            return min(hinted, RETRY_AFTER_CAP_SECONDS)
        ceiling = min(self.backoff_cap, self.backoff_base * 2**attempt)
        return ceiling * (0.5 + random.random() / 2)

    def request(
        self,
        method: str,
        url: str,
        *,
        body: bytes | None = None,
        headers: Mapping[str, str] | Callable[[], Mapping[str, str]] | None = None,
    ) -> HttpResponse:
        for attempt in range(self.max_retries + 1):
            last = attempt == self.max_retries
            sent = dict(headers() if callable(headers) else headers or {})
            sent.setdefault("User-Agent", self.user_agent)
            sent.setdefault("Accept", "application/json")
            if body is not None:
                sent.setdefault("Content-Type", "application/json")
            req = urllib.request.Request(url, data=body, method=method, headers=sent)
            try:
                with urllib.request.urlopen(req, timeout=self.timeout) as res:
                    return HttpResponse(res.status, res.headers, res.read())
            except urllib.error.HTTPError as err:
                payload = err.read()
                if (err.code == 429 or err.code >= 500) and not last:
                    self.sleep(self.delay(attempt, err.headers.get("Retry-After")))
                    continue
                raise UserVilleError.from_response(err.code, payload, err.headers.get("X-Request-Id")) from None
            except (urllib.error.URLError, OSError) as err:
                if last:
                    reason = getattr(err, "reason", err)
                    raise UserVilleError.network(
                        f"{method} {url} failed after {attempt + 1} attempts: {reason}"
                    ) from err
                self.sleep(self.delay(attempt, None))
        raise AssertionError("unreachable")


# --- results ---------------------------------------------------------------------------------------------------


@dataclass
class Preference:
    id: str
    description: str
    check: str
    split: str
    penalty: str
    raw: dict = field(repr=False, default_factory=dict)

    @classmethod
    def from_dict(cls, d: dict) -> Preference:
        return cls(d["id"], d["description"], d["check"], d["split"], d["penalty"], d)


@dataclass
class Task:
    id: str
    family: str
    vague_prompt: str
    created_at: str | None
    raw: dict = field(repr=False, default_factory=dict)

    @classmethod
    def from_dict(cls, d: dict) -> Task:
        return cls(d["id"], d["family"], d["vague_prompt"], d.get("created_at"), d)


@dataclass
class Page(Generic[T]):
    data: list[T]
    next_cursor: str | None
    raw: dict = field(repr=False, default_factory=dict)


@dataclass
class Session:
    id: str
    prompt: str
    preference_id: str
    preference_description: str
    max_questions: int
    task_id: str | None = None
    vague: bool | None = None
    profile: str | None = None
    engine: str | None = None
    state: str | None = None
    raw: dict = field(repr=False, default_factory=dict)

    @classmethod
    def from_dict(cls, d: dict) -> Session:
        pref = d.get("preference") or {}
        return cls(
            id=d["id"],
            prompt=d["prompt"],
            preference_id=pref.get("id", ""),
            preference_description=pref.get("description", ""),
            max_questions=int(d.get("max_questions", 4)),
            task_id=d.get("task_id"),
            vague=d.get("vague"),
            profile=d.get("profile"),
            engine=d.get("engine"),
            state=d.get("state"),
            raw=d,
        )


@dataclass
class Answer:
    answer: str
    step_reward: float | None = None
    position: int | None = None
    remaining: int | None = None
    raw: dict = field(repr=False, default_factory=dict)

    @classmethod
    def from_dict(cls, d: dict) -> Answer:
        return cls(d["answer"], d.get("step_reward"), d.get("position"), d.get("remaining"), d)


@dataclass
class Score:
    reward: float
    productivity: float
    proactivity: float
    personalization: float
    metrics: dict
    questions: list[dict]
    profile: str | None
    engine: str | None
    advantage: float | None = None
    raw: dict = field(repr=False, default_factory=dict)

    @classmethod
    def from_dict(cls, d: dict) -> Score:
        return cls(
            reward=float(d["reward"]),
            productivity=float(d["productivity"]),
            proactivity=float(d["proactivity"]),
            personalization=float(d["personalization"]),
            metrics=d.get("metrics") or {},
            questions=d.get("questions") or [],
            profile=d.get("profile"),
            engine=d.get("engine"),
            advantage=d.get("advantage"),
            raw=d,
        )


@dataclass
class ScoreBatch:
    results: list[Score]
    summary: dict
    raw: dict = field(repr=False, default_factory=dict)


@dataclass
class TrainingJob:
    id: str
    state: str
    error: str | None
    summary: dict
    metrics: list[dict]
    result: dict | None
    raw: dict = field(repr=False, default_factory=dict)

    @classmethod
    def from_dict(cls, d: dict) -> TrainingJob:
        return cls(
            d["id"], d["state"], d.get("error"), d.get("summary") or {}, d.get("metrics") or [], d.get("result"), d
        )


@dataclass
class Usage:
    credits_remaining: int
    by_route: dict
    by_day: list[dict]
    raw: dict = field(repr=False, default_factory=dict)


@dataclass
class JobCredentials:
    job_id: str
    account_id: str
    api_key: str = field(repr=False)
    callback_secret: str = field(repr=False)
    payload_url: str
    events_url: str
    task_ids: list[str]
    expires_at: str | None
    raw: dict = field(repr=False, default_factory=dict)


# --- the client ------------------------------------------------------------------------------------------------


class Client:
    """A UserVille API client. `api_key` is sent as `Authorization: Bearer …`."""

    def __init__(
        self,
        base_url: str,
        api_key: str | None = None,
        *,
        timeout: float = 30.0,
        max_retries: int = 4,
        user_agent: str | None = None,
    ) -> None:
        if not base_url:
            raise ValueError("base_url is required, e.g. http://127.0.0.1:8787")
        self.base_url = base_url.rstrip("/")
        self.api_key = api_key
        self.transport = Transport(timeout=timeout, max_retries=max_retries, user_agent=user_agent)

    def __repr__(self) -> str:
        return f"Client({self.base_url!r})"

    @classmethod
    def from_env(cls, **kwargs: Any) -> Client:
        """`USERVILLE_API_URL` and `USERVILLE_API_KEY`."""
        url = os.environ.get("USERVILLE_API_URL")
        if not url:
            raise ValueError("USERVILLE_API_URL is not set")
        return cls(url, os.environ.get("USERVILLE_API_KEY") or None, **kwargs)

    # transport -----------------------------------------------------------------------------------------------

    def _headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.api_key}"} if self.api_key else {}

    def _get(self, path: str, query: Mapping[str, Any] | None = None) -> Any:
        params = {k: v for k, v in (query or {}).items() if v is not None}
        url = f"{self.base_url}{path}" + (f"?{urllib.parse.urlencode(params)}" if params else "")
        return self.transport.request("GET", url, headers=self._headers()).json()

    def _post(self, path: str, body: Any = None) -> Any:
        headers = {**self._headers(), "Idempotency-Key": str(uuid.uuid4())}
        data = json.dumps({} if body is None else body).encode("utf-8")
        return self.transport.request("POST", f"{self.base_url}{path}", body=data, headers=headers).json()

    @staticmethod
    def _seg(value: str) -> str:
        return urllib.parse.quote(value, safe="")

    # routes --------------------------------------------------------------------------------------------------

    def preferences(self) -> list[Preference]:
        return [Preference.from_dict(p) for p in self._get("/v1/preferences")["data"]]

    def create_task(self, family: str, prompt: str, **hidden: Any) -> Task:
        """`hidden`: title, vague_prompt, hint, files, functions, documents, answer (kept by the service)."""
        return Task.from_dict(self._post("/v1/tasks", {"family": family, "prompt": prompt, **hidden}))

    def get_task(self, id: str) -> Task:
        return Task.from_dict(self._get(f"/v1/tasks/{self._seg(id)}"))

    def list_tasks(self, limit: int = 50, cursor: str | None = None) -> Page[Task]:
        page = self._get("/v1/tasks", {"limit": limit, "cursor": cursor})
        return Page([Task.from_dict(t) for t in page["data"]], page.get("next_cursor"), page)

    def create_session(self, task_id: str, preference: str, vague: bool = True, **extra: Any) -> Session:
        body = {"task_id": task_id, "preference": preference, "vague": vague, **extra}
        return Session.from_dict(self._post("/v1/sessions", body))

    def ask(self, session_id: str, question: str) -> Answer:
        return Answer.from_dict(self._post(f"/v1/sessions/{self._seg(session_id)}/questions", {"question": question}))

    def act(self, session_id: str, note: str | None = None) -> None:
        """Records one non-question step (for `only_begin`). The service counts steps; `note` stays client-side."""
        del note
        self._post(f"/v1/sessions/{self._seg(session_id)}/actions", {})

    def finish(self, session_id: str, prediction: str | list[str], task_score: float | None = None) -> Score | None:
        """The session's Score, or None when the service answers without one (a leaderboard run's session)."""
        body: dict[str, Any] = {"prediction": prediction}
        if task_score is not None:
            body["task_score"] = task_score
        answer = self._post(f"/v1/sessions/{self._seg(session_id)}/finish", body)
        return Score.from_dict(answer) if isinstance(answer, dict) and "reward" in answer else None

    def get_session(self, session_id: str) -> dict:
        return self._get(f"/v1/sessions/{self._seg(session_id)}")

    def score(self, **body: Any) -> Score:
        return Score.from_dict(self._post("/v1/score", body))

    def score_batch(self, items: list[dict], advantage: str | None = "grpo") -> ScoreBatch:
        body: dict[str, Any] = {"items": items}
        if advantage is not None:
            body["advantage"] = advantage
        answer = self._post("/v1/score/batch", body)
        return ScoreBatch([Score.from_dict(r) for r in answer["results"]], answer.get("summary") or {}, answer)

    def create_training_job(self, body: dict) -> TrainingJob:
        return TrainingJob.from_dict(self._post("/v1/training/jobs", body))

    def get_training_job(self, id: str) -> TrainingJob:
        return TrainingJob.from_dict(self._get(f"/v1/training/jobs/{self._seg(id)}"))

    def list_training_jobs(self, limit: int = 20, cursor: str | None = None) -> Page[TrainingJob]:
        page = self._get("/v1/training/jobs", {"limit": limit, "cursor": cursor})
        return Page([TrainingJob.from_dict(j) for j in page["data"]], page.get("next_cursor"), page)

    def cancel_training_job(self, id: str) -> TrainingJob:
        return TrainingJob.from_dict(self._post(f"/v1/training/jobs/{self._seg(id)}/cancel", {}))

    def usage(self) -> Usage:
        d = self._get("/v1/usage")
        return Usage(int(d["credits_remaining"]), d.get("by_route") or {}, d.get("by_day") or [], d)

    @staticmethod
    def exchange_job_token(base_url: str, job_id: str, token: str, *, timeout: float = 30.0) -> JobCredentials:
        """Trades a job's one-time `USERVILLE_JOB_TOKEN` for its credentials (no API key; once per job).

        Retried on 429 / 5xx / network errors with one Idempotency-Key; a 409 after a retry means an earlier
        attempt was accepted and its answer lost: the token is spent either way.
        """
        transport = Transport(timeout=timeout)
        url = f"{base_url.rstrip('/')}/v1/training/jobs/{urllib.parse.quote(job_id, safe='')}/credentials"
        body = json.dumps({"token": token}).encode("utf-8")
        d = transport.request("POST", url, body=body, headers={"Idempotency-Key": str(uuid.uuid4())}).json()
        return JobCredentials(
            job_id=d["job_id"],
            account_id=d["account_id"],
            api_key=d["api_key"],
            callback_secret=d["callback_secret"],
            payload_url=d["payload_url"],
            events_url=d["events_url"],
            task_ids=list(d.get("task_ids") or []),
            expires_at=d.get("expires_at"),
            raw=d,
        )
