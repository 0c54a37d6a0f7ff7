import { describe, expect, it } from "vitest";
import {
  exactMatch,
  functionF1,
  normalizeAnswer,
  normalizeFunctionPath,
  productivity,
} from "../../src/userville/productivity";
import type { TaskHidden } from "../../src/userville/types";

describe("normalizeFunctionPath", () => {
  it.each([
    ["/testbed/a/b.py::f", "a/b.py::f"],
    ["testbed/a/b.py::f", "a/b.py::f"],
    [
      "/workspace/astropy/timeseries/core.py::BaseTimeSeries._check_required_columns",
      "astropy/timeseries/core.py::BaseTimeSeries._check_required_columns",
    ],
    ["  a//b/./c.py::C.m \t", "a/b/c.py::C.m"],
    ["a/x/../b.py::f", "a/b.py::f"],
    ["/testbed/./a/b.py::f", "a/b.py::f"],
    ["../../a.py::f", "a.py::f"],
    ["", ""],
  ])("%j → %j", (input, expected) => {
    expect(normalizeFunctionPath(input)).toBe(expected);
  });
});

describe("functionF1", () => {
  it("matches after path normalisation", () => {
    expect(functionF1("/testbed/a/b.py::f", ["a/b.py::f"])).toBe(1);
    expect(functionF1(["/workspace/a/b.py::f"], ["/testbed/a/b.py::f"])).toBe(1);
  });

  it("splits a string on newlines, drops blanks and duplicates", () => {
    expect(functionF1("a.py::f\n\n  \n/testbed/a.py::f\r\nb.py::g\n", ["a.py::f", "b.py::g"])).toBe(1);
  });

  it("computes set F1", () => {
    // p = 2/3, r = 1 → F1 = 0.8
    expect(functionF1(["a.py::f", "b.py::g", "c.py::h"], ["a.py::f", "b.py::g"])).toBeCloseTo(0.8, 12);
    // p = 1/2, r = 1/2
    expect(functionF1(["a.py::f", "x.py::y"], ["a.py::f", "b.py::g"])).toBeCloseTo(0.5, 12);
    expect(functionF1(["x.py::y"], ["a.py::f"])).toBe(0);
  });

  it("gives 1 when both are empty and 0 when only one is", () => {
    expect(functionF1("", [])).toBe(1);
    expect(functionF1(["  ", ""], [])).toBe(1);
    expect(functionF1("", ["a.py::f"])).toBe(0);
    expect(functionF1("a.py::f", [])).toBe(0);
  });
});

describe("normalizeAnswer / exactMatch", () => {
  it("lower-cases, strips punctuation and articles, collapses whitespace", () => {
    expect(normalizeAnswer("  The  Eiffel Tower! ")).toBe("eiffel tower");
    expect(normalizeAnswer("An apple, a day")).toBe("apple day");
    expect(normalizeAnswer("Theatre")).toBe("theatre");
  });

  it("applies NFKC", () => {
    expect(normalizeAnswer("Ｔｏｋｙｏ")).toBe("tokyo");
    expect(normalizeAnswer("ﬁnal")).toBe("final");
  });

  it("compares normalised strings", () => {
    expect(exactMatch("the Estádio do Mar.", "Estádio do Mar")).toBe(1);
    expect(exactMatch("Estadio do Mar", "Estádio do Mar")).toBe(0);
    expect(exactMatch("Paris", ["London", "paris"])).toBe(1);
    expect(exactMatch("Lisbon", "Porto")).toBe(0);
  });
});

describe("productivity", () => {
  const swe: TaskHidden = { family: "swe", prompt: "p", functions: ["a/b.py::f", "a/b.py::g"] };
  const research: TaskHidden = { family: "research", prompt: "q", answer: "Estádio do Mar" };

  it("prefers a client task_score", () => {
    expect(productivity(swe, "nothing.py::x", 0.75)).toBe(0.75);
    expect(productivity(research, null, 0)).toBe(0);
    expect(() => productivity(swe, null, 1.5)).toThrow(RangeError);
  });

  it("scores swe by F1 and research by exact match", () => {
    expect(productivity(swe, "/testbed/a/b.py::f\na/b.py::g")).toBe(1);
    expect(productivity(swe, ["a/b.py::f"])).toBeCloseTo(2 / 3, 12);
    expect(productivity(swe, "")).toBe(0);
    expect(productivity(research, "the estádio do mar")).toBe(1);
    expect(productivity(research, "Dragão")).toBe(0);
  });

  it("returns null when it cannot be known", () => {
    expect(productivity(swe, null)).toBeNull();
    expect(productivity(swe, undefined, null)).toBeNull();
    expect(productivity({ family: "swe", prompt: "p" }, "a.py::f")).toBeNull();
    expect(productivity({ family: "research", prompt: "q" }, "x")).toBeNull();
  });
});
