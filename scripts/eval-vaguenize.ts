#!/usr/bin/env -S npx tsx
/**
 * npm run eval:vaguenize [-- FILE.jsonl]: vaguenizes every task of a task set with the rules engine and
 * prints the mean vague/precise word ratio per family (the paper: SWE ~194 → 11, research ~97 → 18) and the
 * number of hidden values leaked into a vague prompt, which must be 0 (the exit code says so).
 */
import { readFileSync } from "node:fs";
import { TaskInput } from "../src/routes/task-schema";
import { hiddenValues } from "../src/services/task-writes";
import { findLeaks, vaguenize } from "../src/userville/vaguenize";

const file = process.argv[2] ?? "seed/demo-tasks.jsonl";
const words = (text: string) => text.split(/\s+/).filter(Boolean).length;
const stats = new Map<string, { n: number; precise: number; vague: number; ratio: number }>();
let leaks = 0;

for (const line of readFileSync(file, "utf8").split("\n")) {
  if (!line.trim()) continue;
  const { id, ...rest } = JSON.parse(line);
  const task = TaskInput.parse(rest);
  const hidden = hiddenValues(task);
  const { vague_prompt } = vaguenize({ prompt: task.prompt, family: task.family, title: task.title, hidden });
  const leaked = findLeaks(vague_prompt, hidden);
  if (leaked.length) console.log(`LEAK ${id}: ${leaked.join(", ")} in "${vague_prompt}"`);
  leaks += leaked.length;
  const s = stats.get(task.family) ?? { n: 0, precise: 0, vague: 0, ratio: 0 };
  s.n += 1;
  s.precise += words(task.prompt);
  s.vague += words(vague_prompt);
  s.ratio += words(vague_prompt) / words(task.prompt);
  stats.set(task.family, s);
}

console.log("| family | tasks | mean precise words | mean vague words | mean vague/precise ratio | paper |");
console.log("|---|---|---|---|---|---|");
const paper: Record<string, string> = { swe: "194 → 11 (0.057)", research: "97 → 18 (0.186)" };
for (const [family, s] of stats) {
  console.log(
    `| ${family} | ${s.n} | ${(s.precise / s.n).toFixed(1)} | ${(s.vague / s.n).toFixed(1)} | ${(s.ratio / s.n).toFixed(3)} | ${paper[family] ?? ""} |`,
  );
}
console.log(`hidden values leaked: ${leaks}`);
process.exit(leaks === 0 ? 0 : 1);
