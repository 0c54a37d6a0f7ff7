#!/usr/bin/env -S npx tsx
/**
 * npm run tasks:import -- FILE [--remote] [--account ACCOUNT_ID] [--dry-run]
 * Loads a JSONL task set into D1 (local by default). Each line is a POST /v1/tasks body plus an optional
 * stable "id" (task_…); without one, the id is derived from the content, so importing twice is idempotent.
 * Lines without vague_prompt are vaguenized by the rules engine.
 */
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { z } from "zod";
import { TaskInput } from "../src/routes/task-schema";
import { hiddenSide, rulesVaguePrompt } from "../src/services/task-writes";

const args = process.argv.slice(2);
const file = args.find((a) => !a.startsWith("--") && args[args.indexOf(a) - 1] !== "--account");
const remote = args.includes("--remote");
const dryRun = args.includes("--dry-run");
const account = args.includes("--account") ? args[args.indexOf("--account") + 1] : "acct_admin";
if (!file) {
  console.error("usage: npm run tasks:import -- FILE.jsonl [--remote] [--account ACCOUNT_ID] [--dry-run]");
  process.exit(2);
}

const Line = TaskInput.extend({
  id: z
    .string()
    .regex(/^task_[A-Za-z0-9_]{1,60}$/)
    .optional(),
});
const quote = (value: string | null) => (value === null ? "NULL" : `'${value.replaceAll("'", "''")}'`);

const statements: string[] = [];
const problems: string[] = [];
readFileSync(file, "utf8")
  .split("\n")
  .forEach((text, i) => {
    if (!text.trim()) return;
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      problems.push(`line ${i + 1}: not valid JSON`);
      return;
    }
    const parsed = Line.safeParse(json);
    if (!parsed.success) {
      problems.push(
        `line ${i + 1}: ${parsed.error.issues.map((x) => `${x.path.join(".")}: ${x.message}`).join("; ")}`,
      );
      return;
    }
    const task = parsed.data;
    const id = task.id ?? `task_${createHash("sha256").update(text).digest("hex").slice(0, 24)}`;
    const vague = task.vague_prompt ?? rulesVaguePrompt(task);
    // Upsert, but never over another account's task with the same id.
    statements.push(
      `INSERT INTO tasks (id, account_id, family, title, vague_prompt, hidden) VALUES (${quote(id)}, ${quote(account)}, ${quote(task.family)}, ${quote(task.title ?? null)}, ${quote(vague)}, ${quote(JSON.stringify(hiddenSide(task)))}) ` +
        "ON CONFLICT(id) DO UPDATE SET family = excluded.family, title = excluded.title, vague_prompt = excluded.vague_prompt, hidden = excluded.hidden WHERE tasks.account_id = excluded.account_id;",
    );
  });

if (problems.length) {
  console.error(`${file}: ${problems.length} invalid line(s), nothing imported:\n${problems.join("\n")}`);
  process.exit(1);
}
const sqlFile = path.join(mkdtempSync(path.join(tmpdir(), "userville-import-")), "tasks.sql");
writeFileSync(sqlFile, `${statements.join("\n")}\n`);
if (dryRun) {
  console.log(`${statements.length} task(s) valid; SQL in ${sqlFile}`);
  process.exit(0);
}
const persist = process.env.USERVILLE_STATE_DIR ? ["--persist-to", process.env.USERVILLE_STATE_DIR] : [];
const wrangler = path.join(import.meta.dirname, "..", "node_modules", ".bin", "wrangler");
const result = spawnSync(
  wrangler,
  ["d1", "execute", "DB", remote ? "--remote" : "--local", ...(remote ? [] : persist), "--file", sqlFile],
  { stdio: ["ignore", "ignore", "inherit"], env: { ...process.env, WRANGLER_SEND_METRICS: "false" } },
);
if (result.status !== 0) process.exit(result.status ?? 1);
console.log(
  `imported ${statements.length} task(s) from ${file} into ${remote ? "remote" : "local"} D1 (account ${account})`,
);
