"""Each adapter driven as its framework drives it (stand-in base classes, real service)."""

import asyncio
import json
import unittest
from types import SimpleNamespace

from ._live import STANDINS, account, adapter_env, use_standins

use_standins()

from chat import ChatTokenizer  # noqa: E402  (tests/standins)

GOLD = ["astropy/timeseries/core.py::BaseTimeSeries._check_required_columns"]
QUESTION = "Which function raises the error?"


def ask_call(question: str) -> str:
    return f'<tool_call>{json.dumps({"name": "ask_question", "arguments": {"question": question}})}</tool_call>'


class TRLEnvironment(unittest.TestCase):
    def setUp(self):
        adapter_env()
        self.client, self.task_id, _ = account()

    def test_grpo_trainer_plays_sessions_and_owns_the_reward(self):
        from trl import GRPOConfig, GRPOTrainer

        from userville.adapters.trl import UserVilleEnv, component_rewards

        trainer = GRPOTrainer(
            model="stand-in",
            reward_funcs=component_rewards(),
            args=GRPOConfig(reward_weights=[0.0, 0.0, 0.0]),
            environment_factory=UserVilleEnv,
        )
        self.assertEqual(sorted(trainer.tool_names), ["ask_user", "finish"])
        self.assertEqual(trainer.reward_func_names[-1], "UserVilleEnv")
        row = {"prompt": [{"role": "user", "content": "Fix this issue. "}], "task_id": self.task_id,
               "preference": "no_ask", "vague": True}

        def asks_then_answers(messages, tools):
            turn = sum(m["role"] == "assistant" for m in messages)
            if turn == 0:
                return {"role": "assistant", "tool_calls": [{"type": "function", "function":
                        {"name": "ask_user", "arguments": {"query": QUESTION}}}]}
            if turn == 1:
                return {"role": "assistant", "tool_calls": [{"type": "function", "function":
                        {"name": "finish", "arguments": {"answer": json.dumps(GOLD)}}}]}
            if turn == 2:  # a second submit is refused as a tool error
                return {"role": "assistant", "tool_calls": [{"type": "function", "function":
                        {"name": "finish", "arguments": {"answer": "again"}}}]}
            return {"role": "assistant", "content": "done"}

        def answers_at_once(messages, tools):
            if any(m["role"] == "assistant" for m in messages):
                return {"role": "assistant", "content": "done"}
            return {"role": "assistant", "tool_calls": [{"type": "function", "function":
                    {"name": "finish", "arguments": {"answer": json.dumps(GOLD)}}}]}

        asked = trainer.rollout([row], asks_then_answers)
        conversation = trainer.conversations[0]
        self.assertIn("The user's preference for how you ask", conversation[0]["content"])
        self.assertTrue(conversation[0]["content"].startswith("Fix this issue. "))
        tool_msgs = [m for m in conversation if m["role"] == "tool"]
        self.assertEqual(tool_msgs[1]["content"], "Submitted.")
        self.assertIn("error", json.loads(tool_msgs[2]["content"]))
        env = trainer._pool[0]
        view = self.client.get_session(env._session_id)
        self.assertEqual(view["questions"][0]["text"], QUESTION)
        self.assertEqual(tool_msgs[0]["content"], view["questions"][0]["answer"])
        self.assertAlmostEqual(asked[0], view["score"]["reward"])
        logged = trainer.logged[-1]
        for name in ("productivity", "proactivity", "personalization"):
            self.assertAlmostEqual(logged[f"userville_{name}"], view["score"][name])
        self.assertEqual(view["score"]["productivity"], 1.0)

        quiet = trainer.rollout([row], answers_at_once)
        self.assertGreater(quiet[0], asked[0])  # under no_ask the question costs reward

    def test_a_rollout_that_never_finishes_is_scored_with_an_empty_answer(self):
        from userville.adapters.trl import UserVilleEnv

        env = UserVilleEnv()
        env.reset(task_id=self.task_id, preference="no_ask")
        reward = env.get_reward()
        view = self.client.get_session(env._session_id)
        self.assertEqual(view["state"], "finished")
        self.assertAlmostEqual(reward, view["score"]["reward"])
        self.assertEqual(view["score"]["productivity"], 0.0)


class ScriptedServerManager:
    """verl's AsyncLLMServerManager.generate, answering with scripted policy text."""

    def __init__(self, tokenizer, turns):
        self.tokenizer, self.turns, self.calls = tokenizer, list(turns), []

    async def generate(self, request_id, *, prompt_ids, sampling_params, image_data=None, video_data=None):
        from verl.experimental.agent_loop.agent_loop import TokenOutput

        self.calls.append(list(prompt_ids))
        ids = self.tokenizer.encode(self.turns.pop(0))
        return TokenOutput(token_ids=ids, log_probs=[-0.5] * len(ids))


def verl_config(**multi_turn):
    return {
        "actor_rollout_ref": {"rollout": {"prompt_length": 4096, "response_length": 4096,
                                          "multi_turn": {"format": "hermes", "max_assistant_turns": 5, **multi_turn}}},
        "data": {},
    }


def yaml_entries(path):
    """The agent-loop YAML's list of {name, _target_} (verl reads it with OmegaConf)."""
    entries, current = [], None
    with open(path) as fh:
        lines = fh.read().splitlines()
    for line in lines:
        text = line.split("#", 1)[0].rstrip()
        if not text.strip():
            continue
        if text.lstrip().startswith("- "):
            current = {}
            entries.append(current)
            text = text.lstrip()[2:]
        key, _, value = text.strip().partition(":")
        current[key.strip()] = value.strip()
    return entries


class VerlAgentLoop(unittest.TestCase):
    def setUp(self):
        adapter_env()
        self.client, self.task_id, _ = account()

    def test_yaml_registers_the_loop(self):
        from verl.experimental.agent_loop import agent_loop

        from userville.adapters import VERL_AGENT_LOOP_YAML
        from userville.adapters.verl import AGENT_NAME, UserVilleAgentLoop

        entries = yaml_entries(VERL_AGENT_LOOP_YAML)
        self.assertEqual(entries, [{"name": AGENT_NAME, "_target_": "userville.adapters.verl.UserVilleAgentLoop"}])
        self.assertEqual(agent_loop._agent_loop_registry[AGENT_NAME]["_target_"], entries[0]["_target_"])
        module, _, name = entries[0]["_target_"].rpartition(".")
        self.assertIs(getattr(__import__(module, fromlist=[name]), name), UserVilleAgentLoop)

    def test_one_rollout_masks_the_users_reply_and_returns_the_reward(self):
        from verl.experimental.agent_loop.agent_loop import run_agent_loop

        from userville.adapters.verl import AGENT_NAME

        tok = ChatTokenizer()
        turns = [f"Let me ask.{ask_call(QUESTION)}<|im_end|>", f"{json.dumps(GOLD)}<|im_end|>"]
        manager = ScriptedServerManager(tok, turns)
        raw_prompt = [{"role": "user", "content": "Localise the bug."}]
        out = asyncio.run(run_agent_loop(
            AGENT_NAME, config=verl_config(), server_manager=manager, tokenizer=tok,
            sampling_params={"temperature": 1.0}, raw_prompt=raw_prompt,
            extra_info={"task_id": self.task_id, "preference": "concise_question", "vague": True},
        ))
        session_id = out.extra_fields["userville_session_id"]
        view = self.client.get_session(session_id)
        self.assertEqual([q["text"] for q in view["questions"]], [QUESTION])
        policy = tok.decode([t for t, m in zip(out.response_ids, out.response_mask) if m == 1])
        user = tok.decode([t for t, m in zip(out.response_ids, out.response_mask) if m == 0])
        self.assertEqual(policy, "".join(turns))
        self.assertIn(view["questions"][0]["answer"], user)
        self.assertIn("<tool_response>", user)
        self.assertNotIn(view["questions"][0]["answer"], policy)
        self.assertEqual(len(out.response_logprobs), len(out.response_ids))
        self.assertEqual(out.reward_score, view["score"]["reward"])
        info = out.extra_fields["reward_extra_info"]
        self.assertEqual(info["productivity"], 1.0)
        for name in ("proactivity", "personalization"):
            self.assertEqual(info[name], view["score"][name])
        self.assertEqual(info["questions"], 1.0)
        self.assertEqual(out.num_turns, 4)
        prompt_text = tok.decode(out.prompt_ids)
        self.assertIn("Localise the bug.", prompt_text)
        self.assertIn('"name": "ask_question"', prompt_text)  # the tool schema is rendered
        self.assertEqual(manager.calls[1], out.prompt_ids + out.response_ids[: len(manager.calls[1]) - len(out.prompt_ids)])


class ScriptedEngine:
    def __init__(self, tokenizer, turns):
        self.tokenizer, self.turns = tokenizer, list(turns)

    async def generate(self, prompt_token_ids, sampling_params, multi_modal_data=None):
        text = self.turns.pop(0)
        out = SimpleNamespace(token_ids=self.tokenizer.encode(text), text=text, finish_reason="stop")
        return SimpleNamespace(outputs=[out])


class OpenRLHFAgent(unittest.TestCase):
    def setUp(self):
        adapter_env()
        self.client, self.task_id, _ = account()

    def test_executor_runs_reset_and_steps_against_a_session(self):
        from userville.adapters.openrlhf import PROMPT_MARKER, AgentExecutor

        tok = ChatTokenizer()
        turns = [f"{ask_call(QUESTION)}<|im_end|>", f"{json.dumps(GOLD)}<|im_end|>"]
        prompt = f"<|im_start|>user\n{PROMPT_MARKER}<|im_end|>\n<|im_start|>assistant\n"
        label = json.dumps({"task_id": self.task_id, "preference": "no_preference"})
        params = SimpleNamespace(max_tokens=None, logprobs=None)
        result = asyncio.run(AgentExecutor().execute(prompt, label, params, 8192, tok, ScriptedEngine(tok, turns)))
        tokens = result["observation_tokens"]
        actions = "".join(tok.decode(tokens[a:b]) for a, b in result["action_ranges"])
        self.assertEqual(actions, "".join(turns))
        self.assertEqual(len(result["action_ranges"]), 2)
        between = tok.decode(tokens[result["action_ranges"][0][1]: result["action_ranges"][1][0]])
        full = tok.decode(tokens)
        self.assertNotIn(PROMPT_MARKER, full)
        self.assertIn("The user's preference for how you ask", full)
        self.assertIn("<tool_response>", between)
        self.assertEqual(set(result["extra_logs"]), {"productivity", "proactivity", "personalization"})
        self.assertEqual(result["extra_logs"]["productivity"], 1.0)
        self.assertGreater(result["reward"], 0.0)
        self.assertEqual(float(result["scores"]), result["reward"])

    def test_instance_reports_the_same_reward_as_the_session(self):
        from userville.adapters.openrlhf import AgentInstance

        async def play():
            agent = AgentInstance()
            reset = await agent.reset({"observation": "Task: ", "label": json.dumps(
                {"task_id": self.task_id, "preference": "no_ask", "vague": False})})
            step = await agent.step({"observation_text": reset["observation"], "action_text": "wrong.py::f</s>",
                                     "label": "", "sampling_params": None})
            return agent, reset, step

        agent, reset, step = asyncio.run(play())
        self.assertTrue(reset["observation"].startswith("Task: "))
        view = self.client.get_session(agent.session_id)
        self.assertFalse(view["vague"])
        self.assertTrue(step["done"])
        self.assertEqual(step["environment_feedback"], "")
        self.assertAlmostEqual(step["rewards"].item(), view["score"]["reward"])
        self.assertEqual(view["score"]["productivity"], 0.0)


if __name__ == "__main__":
    unittest.main()
