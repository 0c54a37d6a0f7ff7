"""The tabular agent's action space: interaction strategies, the questions they ask, and how it predicts.

A strategy is a plan of ask calls (each one message to the simulated user), with `act` steps between them where
the plan works before asking again. The question texts are fixed per strategy; "styled" strategies rewrite
them for the session's preference (language, format, brevity, count or timing), as the preference's checker in
`src/userville/checkers/` reads it. Predictions are built from the user's answers (SWE: gold-style
`path::Function` lines; research: the name the answer starts with) or guessed from the prompt alone.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

# Ask strategies, in the order of the policy's logits.
NONE = "none"  # ask nothing
LOW = "low"  # one low-effort question (more detail on the problem: the precise-prompt tier)
TARGET = "target"  # ask for what the answer is made of: file then function (SWE), the sources (research)
MULTI = "multi"  # several questions in one ask
STYLED_LOW = "styled_low"  # the low-effort question, styled for the preference
STYLED_TARGET = "styled_target"  # the target questions, styled for the preference
ASK_STRATEGIES: tuple[str, ...] = (NONE, LOW, TARGET, MULTI, STYLED_LOW, STYLED_TARGET)
MULTI_QUESTION_STRATEGIES = frozenset({MULTI})

# Prediction modes, the second head of the policy.
FROM_ANSWER = "from_answer"
GUESS = "guess"
PREDICT_MODES: tuple[str, ...] = (FROM_ANSWER, GUESS)

DETAIL_Q = "Could you describe the problem in more detail?"
FILE_Q = "Which file should I edit?"
FUNCTION_Q = "Which function should I change?"
SOURCES_Q = "Which documents or sources should I read?"


@dataclass(frozen=True)
class Step:
    """One step of a plan: an ask call with `text`, or an `act` (a non-question step) when text is None."""

    text: str | None = None

    @property
    def is_ask(self) -> bool:
        return self.text is not None


ACT = Step(None)


@dataclass
class Plan:
    steps: list[Step] = field(default_factory=list)

    @property
    def asks(self) -> list[str]:
        return [s.text for s in self.steps if s.text is not None]


def _target_questions(family: str) -> list[str]:
    return [FILE_Q, FUNCTION_Q] if family == "swe" else [SOURCES_Q]


def plain_plan(strategy: str, family: str) -> Plan:
    """The plain (unstyled) plans. Multi-ask plans look at the code (`act`) between their questions."""
    if strategy == NONE:
        return Plan([])
    if strategy == LOW:
        return Plan([Step(DETAIL_Q)])
    if strategy == TARGET:
        steps: list[Step] = []
        for i, q in enumerate(_target_questions(family)):
            if i:
                steps.append(ACT)
            steps.append(Step(q))
        return Plan(steps)
    if strategy == MULTI:
        return Plan([Step(" ".join([DETAIL_Q, *_target_questions(family)]))])
    raise ValueError(f"not a plain strategy: {strategy}")


def build_plan(strategy: str, family: str, preference: str, prompt: str) -> Plan:
    """The plan a strategy plays for one session."""
    if strategy not in ASK_STRATEGIES:
        raise ValueError(f"unknown strategy {strategy!r}; one of {', '.join(ASK_STRATEGIES)}")
    if strategy in (NONE, LOW, TARGET, MULTI):
        return plain_plan(strategy, family)
    content = "low" if strategy == STYLED_LOW else "target"
    return styled_plan(content, family, preference, prompt)


def styled_plan(content: str, family: str, preference: str, prompt: str) -> Plan:
    """Questions written for the preference; the count and timing preferences change the plan's shape."""
    base = [DETAIL_Q] if content == "low" else _target_questions(family)
    if preference == "no_ask":
        return Plan([])  # the styled way to honour "no questions" is to ask none
    if preference == "ask_many":
        return Plan([Step(" ".join(base))])  # everything in the first (only) ask call
    if preference == "answer_more":
        extra = [
            "Could you describe what you expected to happen?",
            "Could you describe what actually happens instead?",
        ]
        return Plan([Step(q) for q in (base + extra)[: max(3, len(base))]])
    if preference == "first_try":
        # Work first, then ask, saying what was tried.
        return Plan([ACT, *[Step(style_question(q, preference, prompt)) for q in base]])
    # only_begin and the per-question preferences: every question up front, before any action.
    return Plan([Step(style_question(q, preference, prompt)) for q in base])


# Per-question rewrites. Each keeps one question per message, so one_question stays satisfied.
_ITALIAN = {
    DETAIL_Q: "Potresti descrivere il problema con più dettagli?",
    FILE_Q: "Quale file devo modificare per risolvere il problema?",
    FUNCTION_Q: "Quale funzione devo cambiare per risolvere il problema?",
    SOURCES_Q: "Quali documenti o fonti devo leggere per trovare la risposta?",
}
_PLAIN_WORDS = {  # for the amateur: common sense only, nothing they cannot name
    DETAIL_Q: "Could you describe in plain words what goes wrong for you?",
    FILE_Q: "What were you doing when it went wrong?",
    FUNCTION_Q: "What did you expect to happen instead?",
    SOURCES_Q: "What do you remember about where you read about it?",
}
_MULTILINGUAL_TAIL = (
    " Pouvez-vous m'aider avec ce problème. Können Sie mir bitte helfen. ¿Puedes ayudarme con esto por favor."
    " Puoi aiutarmi con questo problema."
)
_JOKE = " Why did the developer go broke? Because he used up all his cache."


def style_question(question: str, preference: str, prompt: str) -> str:
    """One question rewritten for a per-question preference; unchanged for preferences without a wording rule."""
    if preference == "lang_ita":
        return _ITALIAN.get(question, question)
    if preference == "amateur":
        return _PLAIN_WORDS.get(question, question)
    if preference == "capital":
        return question.upper()
    if preference == "commas":
        return question.replace(",", "")
    if preference == "json":
        return json.dumps({"question": question})
    if preference == "joke":
        return question + _JOKE
    if preference == "lang_multi":
        return question + _MULTILINGUAL_TAIL
    if preference == "length":
        return f"I read the report carefully. I still miss one piece of information. {question}"
    if preference == "detail_question":
        return (
            "I read the report and the expected behaviour is still unclear to me, because the same error could"
            f" come from several places and I want to fix the right one. {question}"
        )
    if preference == "first_try":
        return f"I have already tried to work it out from the report, but I am blocked. {question}"
    if preference == "do_selection":
        return f"{question.rstrip('?')}: A) the part named in the report B) somewhere else C) I am not sure?"
    if preference == "snippet":
        return f"{question}\n\nFrom the report (report.md):\n\n{_quote(prompt)}"
    return question  # no_preference, professional, concise_question, one_question, only_begin


def _quote(prompt: str) -> str:
    """At least three '>' quoted lines taken from the prompt."""
    words = prompt.split()
    lines = [" ".join(words[i : i + 8]) for i in range(0, len(words), 8)] or [prompt]
    while len(lines) < 3:
        lines.append("(end of report)")
    return "\n".join(f"> {line}" for line in lines)


def asks_in(strategy: str, family: str, preference: str) -> bool:
    """Whether the strategy asks anything under this preference (styled plans ask nothing under no_ask)."""
    return bool(build_plan(strategy, family, preference, "x").asks)


# --- predictions ---------------------------------------------------------------------------------------------

_PATH = re.compile(r"(?<![\w/.])(?:[\w.-]+/)*[\w.-]+\.(?:py|pyi|js|ts|java|go|rs|rb|c|h|cpp)\b")
_IDENT = re.compile(r"[A-Za-z_][\w]*(?:\.[A-Za-z_]\w*)*")
# The rules engine's file / function answer templates (src/userville/simulator/phrasing.ts), en and it.
_NAME_REPLY = re.compile(
    r"^(?:It's in|I think it's in|I think it's|You want|Look at|Penso sia in|Credo sia nel file|Credo sia la funzione)"
    r"\s+(?P<names>.+?)(?:,\s*(?:I think|I believe))?\.?\s*$"
)
_LEADS = re.compile(
    r"^(?:As far as I know,|I think|Pretty sure|I'd say|Credo che|Penso che|Mi pare che|Credo sia|Penso sia)\s+",
    re.IGNORECASE,
)
_CONNECTORS = {"of", "at", "on", "the", "de", "del", "della", "van", "von", "der", "la", "le", "du", "y"}


def swe_names(answers: list[str]) -> tuple[list[str], list[str]]:
    """File paths and function names the user's answers give, in order of appearance."""
    files: list[str] = []
    functions: list[str] = []
    for answer in answers:
        text = answer.strip().replace("\u2019", "'")
        match = _NAME_REPLY.match(text)
        parts = re.split(r"\s+and\s+|\s+e\s+", match.group("names")) if match else []
        for part in parts:
            part = part.strip(" `'\"")
            if _PATH.fullmatch(part):
                files.append(part)
            elif _IDENT.fullmatch(part):
                functions.append(part)
        if not match:  # another engine's wording: paths and dotted / snake_case / CamelCase identifiers
            files += _PATH.findall(text)
            for ident in _IDENT.findall(_PATH.sub(" ", text)):
                if "_" in ident or "." in ident or re.search(r"[a-z][A-Z]", ident):
                    functions.append(ident)
    return list(dict.fromkeys(files)), list(dict.fromkeys(functions))


def predict_swe(answers: list[str], prompt: str, mode: str) -> list[str]:
    """Function-localisation lines, `path::Name` as the gold list writes them."""
    files, functions = swe_names(answers) if mode == FROM_ANSWER else ([], [])
    if functions and files:
        return [f"{files[0]}::{fn}" for fn in functions]
    if functions or files:
        return functions or files
    return guess_swe(prompt)


def guess_swe(prompt: str) -> list[str]:
    """From the prompt alone: the code identifiers it names (rarely the gold function, which is the point)."""
    names = [n for n in re.findall(r"`([^`\n]+)`", prompt) if _IDENT.fullmatch(n)]
    return names[:1] or ["unknown"]


def predict_research(answers: list[str], prompt: str, mode: str) -> str:
    if mode == FROM_ANSWER:
        for answer in answers:
            name = leading_name(answer)
            if name:
                return name
    return guess_research(prompt)


def leading_name(answer: str) -> str | None:
    """The capitalised name an answer opens with ("As far as I know, MV Tollan Brae was ..." → MV Tollan Brae)."""
    text = _LEADS.sub("", answer.strip())
    tokens = re.findall(r"[\w'’-]+|\S", text)
    name: list[str] = []
    for token in tokens:
        if token[:1].isupper() and token[:1].isalpha():
            name.append(token)
        elif name and token.lower() in _CONNECTORS:
            name.append(token)
        else:
            break
    while name and name[-1].lower() in _CONNECTORS:
        name.pop()
    if len(name) == 1 and name[0] in {"I", "It", "The", "This", "That", "Pretty", "Give", "Find"}:
        return None
    return " ".join(name) or None


def guess_research(prompt: str) -> str:
    """From the prompt alone: its last capitalised phrase that does not open a sentence, else "unknown"."""
    found = re.findall(r"(?<![.?!]\s)(?<!^)\b([A-Z][\w'-]+(?:\s+[A-Z][\w'-]+)*)", prompt)
    return found[-1] if found else "unknown"


def predict(family: str, answers: list[str], prompt: str, mode: str) -> str | list[str]:
    if family == "swe":
        return predict_swe(answers, prompt, mode)
    return predict_research(answers, prompt, mode)
