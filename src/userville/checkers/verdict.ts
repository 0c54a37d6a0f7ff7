import type { JudgeKind, Verdict } from "../types";

export const pass = (reason: string, judge: JudgeKind = "rule"): Verdict => ({
  compliant: true,
  judge,
  reason,
});
export const fail = (reason: string, judge: JudgeKind = "rule"): Verdict => ({
  compliant: false,
  judge,
  reason,
});
/** A fresh object each time: callers may annotate verdicts in place. */
export const notApplicable = (): Verdict => ({ compliant: null, judge: null });
