"""`RunnerChannel`: a training job's signed channel to the API (payload download, runner events).

Both directions are signed as Standard Webhooks with the job's `callback_secret`. The service accepts each
`webhook-id` once, so every payload read uses a fresh id and every event gets its own `msg_<uuid>`, kept across
the retries of that event (a retry of an applied event is answered `duplicate: true`, not applied twice).
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from . import webhooks
from .client import Transport


def new_message_id() -> str:
    return f"msg_{uuid.uuid4().hex}"


class RunnerChannel:
    def __init__(
        self,
        job_id: str,
        payload_url: str,
        events_url: str,
        callback_secret: str,
        timeout: float = 30,
        *,
        max_retries: int = 4,
    ) -> None:
        self.job_id = job_id
        self.payload_url = payload_url
        self.events_url = events_url
        self._secret = callback_secret
        self.transport = Transport(timeout=timeout, max_retries=max_retries)

    def __repr__(self) -> str:
        return f"RunnerChannel({self.job_id!r})"

    def payload(self) -> dict:
        """The job's payload (`{"kind": "config", ...}` or `{"kind": "items", ...}`), signed over the empty body."""
        res = self.transport.request(
            "GET", self.payload_url, headers=lambda: webhooks.sign(self._secret, new_message_id(), "")
        )
        return res.json()

    def send(self, event: dict[str, Any]) -> dict:
        """Posts one RunnerEvent; answers `{"received": true, "duplicate": bool}`."""
        msg_id = new_message_id()
        body = json.dumps(event, separators=(",", ":"))
        res = self.transport.request(
            "POST",
            self.events_url,
            body=body.encode("utf-8"),
            headers=lambda: webhooks.sign(self._secret, msg_id, body),
        )
        return res.json()
