import { describe, expect, it } from "vitest";
import { LlmUnavailableError } from "../../src/llm/client";
import {
  buildSimulatorMessages,
  parseSimulatorReply,
  SIMULATOR_PROMPT_VERSION,
  simulateWithLlm,
} from "../../src/llm/prompts/simulator";
import { getPreference } from "../../src/userville/preferences";
import type { TaskHidden } from "../../src/userville/types";
import { researchTask, sweTask } from "../fixtures";
import { calls, mockLlm, script, uniqueModel } from "./mock";

const swe: TaskHidden = sweTask;
const research: TaskHidden = researchTask;
const question = "What error message do you get?";

describe("parseSimulatorReply", () => {
  it("strips the tags and maps the cost level to a tier", () => {
    expect(parseSimulatorReply("swe", "It's in the validation bit, I think.\n[Cost 2]\n[Reward 1]")).toEqual({
      reply: "It's in the validation bit, I think.",
      tier: "hint",
      reward: 1,
      wellFormed: true,
    });
  });

  it("counts the lowest cost tag when there are several", () => {
    const parsed = parseSimulatorReply("swe", "Not sure, maybe core.py?\n[Cost 4]\n[Cost 3]");
    expect(parsed.tier).toBe("idk");
    expect(parsed.reply).toBe("Not sure, maybe core.py?");
  });

  it("maps levels per family and accepts [Level N] and loose spacing", () => {
    expect(parseSimulatorReply("research", "No idea.\n[Level 2]").tier).toBe("idk");
    expect(parseSimulatorReply("research", "The page says Genoa.\n[cost: 3]").tier).toBe("gold_doc");
    expect(parseSimulatorReply("swe", "Try the function.\n[ Cost 5 ]").tier).toBe("function");
  });

  it("is malformed without a valid cost tag or without a reply", () => {
    expect(parseSimulatorReply("swe", "Sure, it's in the description.")).toMatchObject({
      tier: null,
      wellFormed: false,
    });
    // Level 4 does not exist for research: stripped, but not a tier.
    expect(parseSimulatorReply("research", "Hmm.\n[Cost 4]")).toMatchObject({
      reply: "Hmm.",
      tier: null,
      wellFormed: false,
    });
    expect(parseSimulatorReply("swe", "[Cost 1]\n[Reward 1]")).toMatchObject({
      reply: "",
      wellFormed: false,
    });
  });

  it("reads a violation when both reward tags appear", () => {
    expect(parseSimulatorReply("swe", "Ok.\n[Cost 1]\n[Reward 1]\n[Reward 0]").reward).toBe(0);
    expect(parseSimulatorReply("swe", "Ok.\n[Cost 1]").reward).toBeNull();
  });
});

describe("buildSimulatorMessages", () => {
  it("gives an SWE user the precise prompt, hint, file and function", () => {
    const [system, ...rest] = buildSimulatorMessages({
      task: swe,
      preference: getPreference("one_question"),
      history: [],
      question,
    });
    expect(system.role).toBe("system");
    expect(system.content).toContain(swe.prompt);
    expect(system.content).toContain(swe.hint);
    expect(system.content).toContain("astropy/timeseries/core.py");
    expect(system.content).toContain("BaseTimeSeries._check_required_columns");
    expect(system.content).toContain(getPreference("one_question").description);
    expect(system.content).toContain(getPreference("one_question").rubric);
    expect(system.content).toContain("[Reward 0]");
    expect(system.content).toContain("[Cost 5]");
    expect(rest).toEqual([
      {
        role: "user",
        content: expect.stringMatching(/^The agent asks: What error message do you get\?\n\n/),
      },
    ]);
    expect(rest[0].content).toContain("Never ask questions, just answer");
  });

  it("never gives an amateur user the file or function names", () => {
    const [system] = buildSimulatorMessages({
      task: swe,
      preference: getPreference("amateur"),
      history: [],
      question,
    });
    expect(system.content).toContain(swe.hint);
    expect(system.content).not.toContain("core.py");
    expect(system.content).not.toContain("_check_required_columns");
  });

  it("asks for no reward tag when the preference has no rule", () => {
    const [system] = buildSimulatorMessages({
      task: swe,
      preference: getPreference("no_preference"),
      history: [],
      question,
    });
    expect(system.content).not.toMatch(/\[Reward [01]\]/);
  });

  it("gives a research user the problem and a snapshot of each gold document", () => {
    const longDoc = `${"word ".repeat(150)}SECRET_TAIL`;
    const [system] = buildSimulatorMessages({
      task: { ...research, documents: [...(research.documents ?? []), longDoc] },
      preference: getPreference("no_preference"),
      history: [],
      question,
    });
    expect(system.content).toContain(research.prompt);
    expect(system.content).toContain("[DOC 1] The club was founded in 1893 in Genoa");
    expect(system.content).toContain("[DOC 2] word");
    expect(system.content).not.toContain("SECRET_TAIL");
    expect(system.content).toContain("[Cost 3]");
    expect(system.content).not.toContain("[Cost 4]");
  });

  it("replays earlier turns, with their tags when known", () => {
    const messages = buildSimulatorMessages({
      task: swe,
      preference: getPreference("one_question"),
      history: [
        { question: "First?", answer: "It's about columns.", tier: "precise", reward: 1 },
        { question: "Second?", answer: "No idea." },
      ],
      question: "Third?",
    });
    expect(messages.map((m) => m.role)).toEqual(["system", "user", "assistant", "user", "assistant", "user"]);
    expect(messages[2].content).toBe("It's about columns.\n[Cost 1]\n[Reward 1]");
    expect(messages[4].content).toBe("No idea.");
    expect(messages[5].content).toMatch(/^The agent asks: Third\?/);
  });

  it("has a version", () => {
    expect(SIMULATOR_PROMPT_VERSION).toBe("simulator-v1");
  });
});

describe("simulateWithLlm", () => {
  const preference = getPreference("one_question");

  it("returns the stripped reply, its tier and reward", async () => {
    const model = uniqueModel("sim-ok");
    await script(model, [
      {
        content: "The error says it expected 'time' first.\n[Cost 1]\n[Reward 1]",
        usage: { prompt_tokens: 500, completion_tokens: 20 },
      },
    ]);
    const result = await simulateWithLlm({
      llm: mockLlm(model),
      task: swe,
      preference,
      history: [],
      question,
    });
    expect(result).toEqual({
      ok: true,
      reply: "The error says it expected 'time' first.",
      tier: "precise",
      reward: 1,
      usage: { promptTokens: 500, completionTokens: 20 },
      attempts: 1,
    });
    const [call] = await calls(model);
    expect(call.body.messages.at(-1)?.content).toContain(question);
  });

  it("takes the lowest of two cost tags", async () => {
    const model = uniqueModel("sim-two");
    await script(model, [{ content: "Maybe the core module?\n[Cost 4]\n[Cost 2]\n[Reward 0]" }]);
    const result = await simulateWithLlm({
      llm: mockLlm(model),
      task: swe,
      preference,
      history: [],
      question,
    });
    expect(result).toMatchObject({ ok: true, tier: "hint", reward: 0, reply: "Maybe the core module?" });
  });

  it("drops a reward tag the preference has no rule for", async () => {
    const model = uniqueModel("sim-norule");
    await script(model, [{ content: "Yep.\n[Cost 1]\n[Reward 0]" }]);
    const result = await simulateWithLlm({
      llm: mockLlm(model),
      task: swe,
      preference: getPreference("no_preference"),
      history: [],
      question,
    });
    expect(result).toMatchObject({ ok: true, reward: null });
  });

  it("retries once (trial 1) after a malformed reply", async () => {
    const model = uniqueModel("sim-retry");
    await script(model, [
      { content: "Sure, it's in the description." },
      { content: "It's the column check.\n[Cost 2]" },
    ]);
    const result = await simulateWithLlm({
      llm: mockLlm(model),
      task: swe,
      preference,
      history: [],
      question,
    });
    expect(result).toMatchObject({ ok: true, tier: "hint", attempts: 2 });
    expect(result.usage).toEqual({ promptTokens: 22, completionTokens: 14 }); // both calls, mock counts 11 + 7
    expect(await calls(model)).toHaveLength(2);
  });

  it("gives up after two malformed replies, so the caller can use the rules tier", async () => {
    const model = uniqueModel("sim-bad");
    await script(model, [{ content: "Sure, it's in the description." }, { content: "[Cost 9] dunno" }]);
    const result = await simulateWithLlm({
      llm: mockLlm(model),
      task: swe,
      preference,
      history: [],
      question,
    });
    expect(result).toMatchObject({ ok: false, reason: "no valid cost tag", reply: "dunno", attempts: 2 });
    expect(await calls(model)).toHaveLength(2);
  });

  it("replays a cached turn without spending tokens", async () => {
    const model = uniqueModel("sim-cache");
    await script(model, [{ content: "It's the column check.\n[Cost 1]\n[Reward 1]" }]);
    const input = { task: swe, preference, history: [], question };
    await simulateWithLlm({ llm: mockLlm(model), ...input });
    const again = await simulateWithLlm({ llm: mockLlm(model), ...input });
    expect(again).toMatchObject({
      ok: true,
      tier: "precise",
      usage: { promptTokens: 0, completionTokens: 0 },
    });
    expect(await calls(model)).toHaveLength(1);
  });

  it("lets a provider failure propagate", async () => {
    const model = uniqueModel("sim-down");
    await script(model, [{ status: 503 }, { status: 503 }]);
    await expect(
      simulateWithLlm({ llm: mockLlm(model), task: swe, preference, history: [], question }),
    ).rejects.toBeInstanceOf(LlmUnavailableError);
  });
});
