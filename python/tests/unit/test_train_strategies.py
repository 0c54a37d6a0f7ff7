"""The tabular agent's questions per preference and its predictions from the rules engine's answers."""

from __future__ import annotations

import json
import re
import unittest

from userville.train import strategies as st

PROMPT = "Removing one of those required columns raises an exception, but the message is misleading ..."
SEEN_AND_UNSEEN = [
    "no_preference", "concise_question", "detail_question", "answer_more", "only_begin", "no_ask", "do_selection",
    "professional", "amateur", "ask_many", "one_question", "first_try", "lang_ita", "lang_multi", "capital",
    "commas", "json", "joke", "snippet", "length",
]


def asks(strategy: str, preference: str, family: str = "swe") -> list[str]:
    return st.build_plan(strategy, family, preference, PROMPT).asks


class PlanTest(unittest.TestCase):
    def test_plain_plans(self) -> None:
        self.assertEqual(asks(st.NONE, "no_preference"), [])
        self.assertEqual(asks(st.LOW, "no_preference"), [st.DETAIL_Q])
        self.assertEqual(asks(st.TARGET, "no_preference"), [st.FILE_Q, st.FUNCTION_Q])
        self.assertEqual(asks(st.TARGET, "no_preference", "research"), [st.SOURCES_Q])
        (multi,) = asks(st.MULTI, "one_question")
        self.assertEqual(multi.count("?"), 3)
        # The plain two-question plan works (acts) between its questions.
        steps = st.build_plan(st.TARGET, "swe", "only_begin", PROMPT).steps
        self.assertEqual([s.is_ask for s in steps], [True, False, True])

    def test_every_preference_has_styled_plans(self) -> None:
        for pref in SEEN_AND_UNSEEN:
            for strategy in (st.STYLED_LOW, st.STYLED_TARGET):
                with self.subTest(pref=pref, strategy=strategy):
                    plan = st.build_plan(strategy, "swe", pref, PROMPT)
                    self.assertEqual(bool(plan.asks), pref != "no_ask")

    def test_count_and_timing_preferences_shape_the_plan(self) -> None:
        self.assertGreaterEqual(len(asks(st.STYLED_LOW, "answer_more")), 3)
        self.assertEqual(len(asks(st.STYLED_TARGET, "ask_many")), 1)
        self.assertEqual(asks(st.STYLED_TARGET, "no_ask"), [])
        only_begin = st.build_plan(st.STYLED_TARGET, "swe", "only_begin", PROMPT).steps
        self.assertTrue(all(s.is_ask for s in only_begin))
        first_try = st.build_plan(st.STYLED_LOW, "swe", "first_try", PROMPT).steps
        self.assertFalse(first_try[0].is_ask)
        self.assertIn("I have already tried", first_try[1].text or "")
        for q in asks(st.STYLED_TARGET, "one_question"):
            self.assertEqual(q.count("?"), 1)

    def test_wording_preferences(self) -> None:
        def styled(pref: str) -> list[str]:
            return asks(st.STYLED_LOW, pref) + asks(st.STYLED_TARGET, pref)

        for q in styled("capital"):
            self.assertEqual(q, q.upper())
        for q in styled("commas"):
            self.assertNotIn(",", q)
        for q in styled("json"):
            self.assertIsInstance(json.loads(q), dict)
        for q in styled("lang_ita"):
            self.assertRegex(q, r"\b(?:Potresti|Quale|Quali)\b")
        for q in styled("do_selection"):
            self.assertIn("A)", q)
            self.assertIn("B)", q)
        for q in styled("snippet"):
            self.assertGreaterEqual(len(re.findall(r"^> ", q, re.MULTILINE)), 3)
            self.assertIn("report.md", q)
        for q in styled("length"):
            self.assertEqual(len(re.findall(r"[.?!](?:\s|$)", q)), 3)
        for q in styled("joke"):
            self.assertIn("Why did the", q)
        for q in styled("detail_question"):
            self.assertGreaterEqual(len(q.split()), 25)
        for q in styled("amateur"):
            self.assertNotRegex(q, r"(?i)\b(?:file|function|code)\b")
        for q in styled("concise_question"):
            self.assertLessEqual(len(q.split()), 15)

    def test_asks_in(self) -> None:
        self.assertFalse(st.asks_in(st.STYLED_LOW, "swe", "no_ask"))
        self.assertTrue(st.asks_in(st.LOW, "swe", "no_ask"))
        self.assertFalse(st.asks_in(st.NONE, "research", "one_question"))


class PredictionTest(unittest.TestCase):
    def test_swe_from_the_rules_engine_answers(self) -> None:
        answers = ["It's in astropy/timeseries/core.py, I think.",
                   "Look at BaseTimeSeries._check_required_columns, I think."]
        self.assertEqual(st.predict("swe", answers, PROMPT, st.FROM_ANSWER),
                         ["astropy/timeseries/core.py::BaseTimeSeries._check_required_columns"])
        self.assertEqual(st.swe_names(["I think it's kernS."]), ([], ["kernS"]))
        self.assertEqual(st.swe_names(["It's in where and Variable.quantile, I believe."]),
                         ([], ["where", "Variable.quantile"]))
        self.assertEqual(st.swe_names(["Penso sia in src/flask/config.py."]), (["src/flask/config.py"], []))

    def test_swe_guess_ignores_answers(self) -> None:
        answers = ["Look at BaseTimeSeries._check_required_columns, I think."]
        self.assertEqual(st.predict("swe", answers, "Fix `TimeSeries` errors", st.GUESS), ["TimeSeries"])
        self.assertEqual(st.predict("swe", ["I don't know."], PROMPT, st.FROM_ANSWER), ["unknown"])

    def test_research_names(self) -> None:
        cases = {
            "As far as I know, MV Tollan Brae was a passenger and vehicle ferry.": "MV Tollan Brae",
            "As far as I know, Marguerite Olsby (1924–2003) was a botanist.": "Marguerite Olsby",
            "Low Pressure at Skerrin was the band's second album.": "Low Pressure at Skerrin",
            "I think the village was flooded.": None,
            "I don't know.": None,
        }
        for answer, name in cases.items():
            with self.subTest(answer=answer):
                self.assertEqual(st.leading_name(answer), name)
        self.assertEqual(st.predict("research", ["I don't know.", "I think Tibor Halmassy won it."], "Who?",
                                    st.FROM_ANSWER), "Tibor Halmassy")


if __name__ == "__main__":
    unittest.main()
