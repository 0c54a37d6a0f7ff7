"""Stand-in of verl 0.7.0 `tool_parser.py`: `ToolParser.get_tool_parser(name, tokenizer)`, hermes format."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass


@dataclass
class FunctionCall:
    arguments: str
    name: str


class ToolParser:
    _registry: dict[str, type] = {}

    def __init__(self, tokenizer) -> None:
        self.tokenizer = tokenizer

    async def extract_tool_calls(self, responses_ids: list[int]) -> tuple[str, list[FunctionCall]]:
        raise NotImplementedError

    @classmethod
    def get_tool_parser(cls, name: str, tokenizer):
        if name not in cls._registry:
            raise ValueError(f"Unknown tool parser: {name}")
        return cls._registry[name](tokenizer)

    @classmethod
    def register(cls, name: str):
        def decorator(subclass):
            cls._registry[name] = subclass
            return subclass

        return decorator


@ToolParser.register("hermes")
class HermesToolParser(ToolParser):
    regex = re.compile(r"<tool_call>(.*?)</tool_call>", re.DOTALL)

    async def extract_tool_calls(self, responses_ids):
        text = self.tokenizer.decode(responses_ids)
        if "<tool_call>" not in text or "</tool_call>" not in text:
            return text, []
        calls = []
        for match in self.regex.findall(text):
            try:
                parsed = json.loads(match)
                calls.append(FunctionCall(name=parsed["name"], arguments=json.dumps(parsed["arguments"])))
            except Exception:
                pass
        return self.regex.sub("", text), calls
