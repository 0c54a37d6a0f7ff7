import unittest

from userville.adapters import parse_tool_calls, prediction_of, session_row


class Helpers(unittest.TestCase):
    def test_session_row_forms(self):
        want = {"task_id": "t1", "preference": "no_ask", "vague": True}
        self.assertEqual(session_row({"task_id": "t1", "preference": "no_ask", "prompt": [1]}), want)
        self.assertEqual(session_row('{"task_id": "t1", "preference": "no_ask", "vague": "false"}'),
                         {**want, "vague": False})
        self.assertEqual(session_row({"userville": {**want, "vague": False}}), {**want, "vague": False})
        with self.assertRaises(KeyError) as ctx:
            session_row({"task_id": "t1"})
        self.assertIn("preference", str(ctx.exception))

    def test_parse_tool_calls(self):
        text = ('Let me ask.<tool_call>{"name": "ask_question", "arguments": {"question": "Which file?"}}'
                '</tool_call><tool_call>{"name": "x", "arguments": "{\\"a\\": 1}"}</tool_call><tool_call>oops</tool_call>')
        content, calls = parse_tool_calls(text)
        self.assertEqual(content, "Let me ask.")
        self.assertEqual(calls, [("ask_question", {"question": "Which file?"}), ("x", {"a": 1})])
        self.assertEqual(parse_tool_calls("plain"), ("plain", []))

    def test_prediction_of(self):
        self.assertEqual(prediction_of('["a.py::f", "b.py::g"]'), ["a.py::f", "b.py::g"])
        self.assertEqual(prediction_of(" 42 "), "42")
        self.assertEqual(prediction_of("[not json"), "[not json")


if __name__ == "__main__":
    unittest.main()
