"""A word-level tokenizer with a Qwen-style chat template: enough for token ids, masks and tool-call text."""

from __future__ import annotations

import json
import re

_PIECE = re.compile(r"<\|[a-z_]+\|>|<tool_call>|</tool_call>|<tool_response>|</tool_response>|\s+|\w+|[^\w\s]")


class ChatTokenizer:
    def __init__(self) -> None:
        self.vocab: dict[str, int] = {}
        self.pieces: list[str] = []

    def encode(self, text: str, add_special_tokens: bool = False) -> list[int]:
        ids = []
        for piece in _PIECE.findall(text):
            if piece not in self.vocab:
                self.vocab[piece] = len(self.pieces)
                self.pieces.append(piece)
            ids.append(self.vocab[piece])
        return ids

    def decode(self, ids: list[int], skip_special_tokens: bool = False) -> str:
        text = "".join(self.pieces[i] for i in ids)
        return re.sub(r"<\|[a-z_]+\|>", "", text) if skip_special_tokens else text

    def render(self, messages: list[dict], tools: list[dict] | None = None, add_generation_prompt: bool = True) -> str:
        out = ""
        if tools:
            out += "<|im_start|>system\n# Tools\n" + "\n".join(json.dumps(t) for t in tools) + "<|im_end|>\n"
        for m in messages:
            if not m.get("role"):
                continue
            content = m.get("content") or ""
            if m["role"] == "tool":
                out += f"<|im_start|>user\n<tool_response>\n{content}\n</tool_response><|im_end|>\n"
            else:
                out += f"<|im_start|>{m['role']}\n{content}<|im_end|>\n"
        return out + ("<|im_start|>assistant\n" if add_generation_prompt else "")

    def apply_chat_template(
        self, messages, tools=None, add_generation_prompt=True, tokenize=True, **kwargs
    ) -> list[int] | str:
        text = self.render(messages, tools, add_generation_prompt)
        return self.encode(text) if tokenize else text
