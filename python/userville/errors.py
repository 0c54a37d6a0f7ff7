"""The one exception the package raises for API and transport failures."""

from __future__ import annotations

import json
from typing import Any


class UserVilleError(Exception):
    """An API error envelope (`{"error": {"code", "message", "request_id", "details"?}}`) or a network failure.

    `status` is the HTTP status, or None when no response arrived (then `code == "network_error"`).
    """

    def __init__(
        self,
        status: int | None,
        code: str,
        message: str,
        request_id: str | None = None,
        details: object | None = None,
    ) -> None:
        super().__init__(f"{status if status is not None else 'network'} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message
        self.request_id = request_id
        self.details = details

    @classmethod
    def from_response(cls, status: int, body: bytes | str, request_id: str | None = None) -> UserVilleError:
        """Builds the error from a response body; a body that is not the envelope keeps its text as the message."""
        text = body.decode("utf-8", "replace") if isinstance(body, bytes) else body
        try:
            parsed: Any = json.loads(text)
        except ValueError:
            parsed = None
        error = parsed.get("error") if isinstance(parsed, dict) else None
        if isinstance(error, dict) and isinstance(error.get("code"), str):
            return cls(
                status,
                error["code"],
                str(error.get("message", "")),
                error.get("request_id") or request_id,
                error.get("details"),
            )
        return cls(status, f"http_{status}", text.strip()[:500] or f"HTTP {status}", request_id)

    @classmethod
    def network(cls, message: str) -> UserVilleError:
        return cls(None, "network_error", message)
