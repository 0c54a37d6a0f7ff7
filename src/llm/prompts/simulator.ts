/**
 * The llm engine's simulated user (spec §2), written from the principles of the reference simulator
 * (PPP-Agent `envs/userville.py`): play the user under a preference, reveal the least sensitive tier that
 * answers, and label each reply with a `[Cost N]` tag (plus `[Reward k]` when the preference has a rule).
 */
import { FAMILY_TIERS } from "../../userville/tiers";
import type { Family, Preference, TaskHidden, Tier } from "../../userville/types";
import { addUsage, type ChatMessage, type Llm, type LlmUsage, noUsage } from "../client";

export const SIMULATOR_PROMPT_VERSION = "simulator-v1";

/** Words kept from the start of each gold document (the reference shows a short snapshot, not the page). */
const DOC_SNAPSHOT_WORDS = 100;

export interface SimulatorTurn {
  question: string;
  answer: string;
  /** When known, the prior reply is replayed with its tags, so the model keeps to the output format. */
  tier?: Tier | null;
  reward?: 0 | 1 | null;
}

export interface SimulatorInput {
  task: TaskHidden;
  preference: Preference;
  history: SimulatorTurn[];
  question: string;
}

const REMINDER =
  "Generate a concise, verbal, human-like reply based only on the provided information and the system " +
  "prompt. Do not answer anything the system prompt does not cover. Never ask questions, just answer the " +
  "agent's question.";

const section = (title: string, body: string | null | undefined) =>
  `${title}:\n${body?.trim() ? body.trim() : "None"}`;

const snapshot = (doc: string) => {
  const words = doc.trim().split(/\s+/);
  return words.length > DOC_SNAPSHOT_WORDS
    ? `${words.slice(0, DOC_SNAPSHOT_WORDS).join(" ")} ...`
    : words.join(" ");
};

const hasRewardRule = (preference: Preference) => preference.check !== "none";

function sweInformation(
  task: TaskHidden,
  preference: Preference,
): { categories: string; costs: string; facts: string } {
  // The reference never gives an amateur user the gold locations: they cannot name files or functions.
  const locations = preference.id !== "amateur";
  return {
    categories: [
      "- Full Question: the complete description of the problem.",
      "- Hint: extra context or clues beyond the description.",
      "- Edit File Path: the file(s) that need to change.",
      "- Edit Function Name: the function(s) or class(es) that need to change.",
    ].join("\n"),
    costs: [
      "[Cost 1] you used only the Full Question.",
      "[Cost 2] you used the Hint.",
      '[Cost 3] the information is not there, or you refused: "I don\'t know".',
      "[Cost 4] you used the Edit File Path.",
      "[Cost 5] you used the Edit Function Name.",
    ].join("\n"),
    facts: [
      section("Full Question", task.prompt),
      section("Hint", task.hint),
      section("Edit File Path", locations ? (task.files ?? []).join("\n") : null),
      section("Edit Function Name", locations ? (task.functions ?? []).join("\n") : null),
    ].join("\n\n"),
  };
}

function researchInformation(task: TaskHidden): { categories: string; costs: string; facts: string } {
  const docs = (task.documents ?? []).filter((d) => d.trim());
  return {
    categories: [
      "- Full Search Problem: the complete question, with all its clues.",
      `- Ground Truth Document Snapshot: the first ${DOC_SNAPSHOT_WORDS} words of each page that answers it.`,
    ].join("\n"),
    costs: [
      "[Cost 1] you used only the Full Search Problem.",
      '[Cost 2] you refused, said "I don\'t know", or gave a general answer.',
      "[Cost 3] you used the Ground Truth Document Snapshot.",
    ].join("\n"),
    facts: [
      section("Full Search Problem", task.prompt),
      section(
        "Ground Truth Document Snapshot",
        docs.length
          ? docs.map((d, i) => `[DOC ${i + 1}] ${snapshot(d)}`).join("\n\n")
          : "No documents available.",
      ),
    ].join("\n\n"),
  };
}

export function buildSimulatorSystemPrompt(task: TaskHidden, preference: Preference): string {
  const info = task.family === "swe" ? sweInformation(task, preference) : researchInformation(task);
  const reward = hasRewardRule(preference);
  const maxCost = FAMILY_TIERS[task.family].length;
  return `You are playing a human user who handed a task to an AI agent. The agent may ask you questions, and you answer them the way this user would. You also label each answer with how sensitive the information you used was${reward ? ", and you judge each question against a reward rule" : ""}.

## Who you are
Your preference: ${preference.description}
${
  reward
    ? `Reward rule: ${preference.rubric}
After your reply, add [Reward 1] if the agent's question follows the reward rule, or [Reward 0] if it breaks it.`
    : "There is no reward rule: do not add any reward tag."
}

## What you know
Your information falls into these categories, from least to most sensitive. Reveal it reluctantly, starting with the least sensitive category that can answer.
${info.categories}

Label every reply with one cost from 1 to ${maxCost}, for the most sensitive category the reply used:
${info.costs}

## How to answer
- Your preference comes first, above everything else.
- Unless your preference says otherwise: short, casual and natural, like a real person. Short sentences, contractions ("it's", "I don't"), one single paragraph.
- Escalate carefully: reveal more sensitive information only when the agent is stuck and the question really needs it.${task.family === "swe" ? " Be hesitant to share file or function names." : ""}
- Stay in scope: if the question is about something your information does not cover, say "I don't know" or refuse.
- Be human: never explain your role, these rules, the cost or the reward. No markdown, bullet points or code blocks. Never ask the agent a question. Be very brief; sounding unsure now and then is fine.

## Output format
Exactly these parts, in this order:
1. Your reply: one short, human-style paragraph.
2. The cost tag on its own line, e.g. [Cost ${Math.min(3, maxCost)}]${reward ? "\n3. The reward tag on its own line, e.g. [Reward 1]" : ""}

---------- TASK INFORMATION ----------

${info.facts}

---------- END OF TASK INFORMATION ----------

Again, your preference: ${preference.description}
Answer each agent question from this information only, in one short sentence with few words. Make sure the cost${reward ? " and reward tags are" : " tag is"} accurate.`;
}

function tagged(turn: SimulatorTurn, family: Family): string {
  if (!turn.tier) return turn.answer;
  const level = (FAMILY_TIERS[family] as readonly Tier[]).indexOf(turn.tier) + 1;
  if (level === 0) return turn.answer;
  const reward = turn.reward == null ? "" : `\n[Reward ${turn.reward}]`;
  return `${turn.answer}\n[Cost ${level}]${reward}`;
}

const agentAsks = (question: string): ChatMessage => ({
  role: "user",
  content: `The agent asks: ${question}\n\n${REMINDER}`,
});

export function buildSimulatorMessages({
  task,
  preference,
  history,
  question,
}: SimulatorInput): ChatMessage[] {
  return [
    { role: "system", content: buildSimulatorSystemPrompt(task, preference) },
    ...history.flatMap((turn): ChatMessage[] => [
      agentAsks(turn.question),
      { role: "assistant", content: tagged(turn, task.family) },
    ]),
    agentAsks(question),
  ];
}

export interface ParsedSimulatorReply {
  reply: string;
  tier: Tier | null;
  reward: 0 | 1 | null;
  wellFormed: boolean;
}

// Lenient about case, spacing and a colon ("[cost: 2]", "[Level 3]"); any number is stripped, valid or not.
const COST_TAG = /\[\s*(?:cost|level)\s*:?\s*(\d+)\s*\]/gi;
const REWARD_TAG = /\[\s*reward\s*:?\s*(\d+)\s*\]/gi;

/**
 * Reads the tags off a simulator reply. As in the reference, the lowest cost tag present counts. A reply
 * tagged both [Reward 0] and [Reward 1] counts as 0: the violation is the signal worth keeping.
 */
export function parseSimulatorReply(family: Family, text: string): ParsedSimulatorReply {
  const tiers = FAMILY_TIERS[family] as readonly Tier[];
  const levels = [...text.matchAll(COST_TAG)]
    .map((m) => Number(m[1]))
    .filter((level) => level >= 1 && level <= tiers.length);
  const rewards = new Set([...text.matchAll(REWARD_TAG)].map((m) => m[1]));
  const reply = text
    .replace(COST_TAG, " ")
    .replace(REWARD_TAG, " ")
    .replace(/[ \t]+\n/g, "\n")
    .replace(/\n{2,}/g, "\n")
    .replace(/[ \t]{2,}/g, " ")
    .trim();
  const tier = levels.length ? tiers[Math.min(...levels) - 1] : null;
  const reward = rewards.has("0") ? 0 : rewards.has("1") ? 1 : null;
  return { reply, tier, reward, wellFormed: tier !== null && reply !== "" };
}

export type SimulateResult =
  | { ok: true; reply: string; tier: Tier; reward: 0 | 1 | null; usage: LlmUsage; attempts: number }
  /** Malformed twice: the caller takes the rules engine's tier (and may keep `reply` if non-empty). */
  | { ok: false; reason: string; reply: string; usage: LlmUsage; attempts: number };

/** One simulated-user turn. A provider failure propagates as LlmUnavailableError. */
export async function simulateWithLlm({
  llm,
  ...input
}: SimulatorInput & { llm: Llm }): Promise<SimulateResult> {
  const messages = buildSimulatorMessages(input);
  const usage = noUsage();
  let parsed: ParsedSimulatorReply | null = null;
  for (let trial = 0; trial < 2; trial++) {
    const result = await llm.chat({ messages, trial, purpose: "simulator" });
    addUsage(usage, result);
    parsed = parseSimulatorReply(input.task.family, result.content);
    if (parsed.wellFormed && parsed.tier) {
      // A reward tag for a preference without a rule is noise, not a verdict.
      const reward = hasRewardRule(input.preference) ? parsed.reward : null;
      return { ok: true, reply: parsed.reply, tier: parsed.tier, reward, usage, attempts: trial + 1 };
    }
  }
  const reason = parsed?.reply ? "no valid cost tag" : "empty reply";
  return { ok: false, reason, reply: parsed?.reply ?? "", usage, attempts: 2 };
}
