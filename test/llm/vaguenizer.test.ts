import { describe, expect, it } from "vitest";
import {
  buildVaguenizerMessages,
  cleanVagueOutput,
  VAGUENIZER_PROMPT_VERSION,
  vaguenizeWithLlm,
} from "../../src/llm/prompts/vaguenizer";
import { findLeaks } from "../../src/userville/vaguenize";
import { sweTask } from "../fixtures";
import { calls, mockLlm, script, uniqueModel } from "./mock";

const hidden = [...sweTask.files, ...sweTask.functions];
const input = { prompt: sweTask.prompt, family: "swe" as const, hidden };

describe("cleanVagueOutput", () => {
  it("drops labels, quotes, fences and trailing explanations", () => {
    expect(cleanVagueOutput('Vague prompt: "TimeSeries: removing column gives confusing error ..."')).toBe(
      "TimeSeries: removing column gives confusing error ...",
    );
    expect(cleanVagueOutput("**Vague prompt:** Fix the column error ...\n\nI removed the details.")).toBe(
      "Fix the column error ...",
    );
    expect(cleanVagueOutput("```\nFix the column error ...\n```")).toBe("Fix the column error ...");
  });
});

describe("buildVaguenizerMessages", () => {
  it("states both principles, the target length and what must not appear", () => {
    const [system, user] = buildVaguenizerMessages({ ...input, title: "TimeSeries: misleading exception" });
    expect(system.content).toContain("Keep the same intent");
    expect(system.content).toContain("partial information");
    expect(system.content).toContain("TimeSeries: removing column gives confusing error ...");
    expect(system.content).toContain("about 11 words");
    expect(user.content).toContain("Title: TimeSeries: misleading exception");
    expect(user.content).toContain(sweTask.prompt);
    expect(user.content).toContain("astropy/timeseries/core.py");
    expect(buildVaguenizerMessages({ ...input, family: "research" })[0].content).toContain("about 18 words");
    expect(VAGUENIZER_PROMPT_VERSION).toBe("vaguenizer-v1");
  });
});

describe("vaguenizeWithLlm", () => {
  it("returns the model's vague prompt when it passes the checks", async () => {
    const model = uniqueModel("vag-ok");
    await script(model, [{ content: "Vague prompt: TimeSeries: removing column gives confusing error ..." }]);
    const result = await vaguenizeWithLlm({ llm: mockLlm(model), ...input });
    expect(result).toEqual({
      vague_prompt: "TimeSeries: removing column gives confusing error ...",
      engine: "llm",
      usage: { promptTokens: 11, completionTokens: 7 },
    });
  });

  it("retries a leaking output and takes the clean second one", async () => {
    const model = uniqueModel("vag-retry");
    await script(model, [
      { content: "Fix _check_required_columns in core.py ..." },
      { content: "TimeSeries: confusing error when a column is removed ..." },
    ]);
    const result = await vaguenizeWithLlm({ llm: mockLlm(model), ...input });
    expect(result).toMatchObject({
      engine: "llm",
      vague_prompt: "TimeSeries: confusing error when a column is removed ...",
    });
    const made = await calls(model);
    expect(made).toHaveLength(2);
  });

  it("falls back to the rules engine when the output leaks twice", async () => {
    const model = uniqueModel("vag-leak");
    await script(model, [
      { content: "Fix BaseTimeSeries._check_required_columns ..." },
      { content: "Something is off in astropy/timeseries/core.py ..." },
    ]);
    const result = await vaguenizeWithLlm({ llm: mockLlm(model), ...input });
    expect(result.engine).toBe("rules");
    expect(result.fallback_reason).toBe("invalid_output: leaks_hidden_value");
    expect(findLeaks(result.vague_prompt, hidden)).toEqual([]);
    expect(result.vague_prompt.length).toBeGreaterThan(0);
    expect(result.usage).toEqual({ promptTokens: 22, completionTokens: 14 });
    expect(await calls(model)).toHaveLength(2);
  });

  it("rejects an output that is not shorter than the prompt", async () => {
    const model = uniqueModel("vag-long");
    await script(model, [{ content: sweTask.prompt }, { content: `Well: ${sweTask.prompt}` }]);
    const result = await vaguenizeWithLlm({ llm: mockLlm(model), ...input });
    expect(result).toMatchObject({ engine: "rules", fallback_reason: "invalid_output: not_shorter" });
  });

  it("falls back to the rules engine when the provider is down", async () => {
    const model = uniqueModel("vag-down");
    await script(model, [{ status: 500 }, { status: 500 }]);
    const result = await vaguenizeWithLlm({ llm: mockLlm(model), ...input });
    expect(result).toMatchObject({ engine: "rules", fallback_reason: "llm_unavailable: HTTP 500" });
    expect(findLeaks(result.vague_prompt, hidden)).toEqual([]);
  });
});
