/** Preferences decided by the shape of the session (how many asks, and when), not by wording. */
import type { AskCall, Verdict } from "../types";
import { fail, pass } from "./verdict";

export function checkNoAsk(asks: AskCall[]): Verdict[] {
  return asks.map(() => fail("the user wants no questions at all"));
}

// The reference code counts ask_question calls (`ask_turn > 1`), so a second call is the violation
// even when each call holds a single question.
export function checkAskMany(asks: AskCall[]): Verdict[] {
  return asks.map((_, i) =>
    i === 0 ? pass("first ask call") : fail(`ask call ${i + 1}: questions must all go in the first call`),
  );
}

export function checkAnswerMore(asks: AskCall[], minimum = 3): Verdict[] {
  const enough = asks.length >= minimum;
  const reason = `${asks.length} ask call(s) in the session; the user wants at least ${minimum}`;
  return asks.map(() => (enough ? pass(reason) : fail(reason)));
}

export function checkOnlyBegin(asks: AskCall[]): Verdict[] {
  return asks.map((ask) =>
    ask.afterActions > 0
      ? fail(`asked after ${ask.afterActions} action(s); questions belong before the first action`)
      : pass("asked before any action"),
  );
}
