#!/usr/bin/env -S npx tsx
/**
 * npm run benchmarks:seed -- [FILE.json] [--remote] [--account ACCOUNT_ID] [--dry-run]
 * Creates a benchmark (default: seed/demo-benchmark.json, the demo one) in D1, local by default. The body is a
 * POST /v1/benchmarks body with an `id`. Idempotent: an existing benchmark is left exactly as it is (its items
 * are only written together with the benchmark row), since past runs played those items.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { CreateBenchmarkBody } from "../src/routes/benchmarks/schema";
import { expandItems } from "../src/userville/benchmark-items";

const args = process.argv.slice(2);
const file =
  args.find((a) => !a.startsWith("--") && args[args.indexOf(a) - 1] !== "--account") ??
  "seed/demo-benchmark.json";
const remote = args.includes("--remote");
const dryRun = args.includes("--dry-run");
const account = args.includes("--account") ? args[args.indexOf("--account") + 1] : "acct_admin";

const parsed = CreateBenchmarkBody.safeParse(JSON.parse(readFileSync(file, "utf8")));
if (!parsed.success || !parsed.data.id) {
  const problems = parsed.success
    ? ["id: required here"]
    : parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
  console.error(`${file}: not a benchmark, nothing written:\n${problems.join("\n")}`);
  process.exit(1);
}
const b = parsed.data;
const id = b.id as string;
const quote = (value: string | number | null) =>
  value === null ? "NULL" : typeof value === "number" ? String(value) : `'${value.replaceAll("'", "''")}'`;
const items = expandItems({
  taskIds: b.task_ids,
  preferences: b.preferences,
  prompts: b.prompts,
  assignment: b.assignment,
});
const values = items
  .map(
    (item, i) =>
      `(${quote(id)}, ${i}, ${quote(item.taskId)}, ${quote(item.preference)}, ${item.vague ? 1 : 0})`,
  )
  .join(",\n  ");
// Only the account's own tasks, as the API checks; the final count tells whether the benchmark exists.
const row = [
  id,
  account,
  b.name,
  b.description ?? null,
  b.trials,
  b.profile,
  b.assignment,
  b.daily_run_quota,
  b.max_runs,
  b.deadline_minutes,
];
const sql = `INSERT INTO benchmarks (id, account_id, name, description, trials, profile, assignment, daily_run_quota, max_runs, deadline_minutes)
SELECT ${row.map(quote).join(", ")}
WHERE (SELECT count(*) FROM tasks WHERE account_id = ${quote(account)} AND id IN (${b.task_ids.map(quote).join(", ")})) = ${b.task_ids.length}
ON CONFLICT(id) DO NOTHING;
INSERT INTO benchmark_items (benchmark_id, position, task_id, preference, vague)
SELECT * FROM (VALUES
  ${values})
WHERE EXISTS (SELECT 1 FROM benchmarks WHERE id = ${quote(id)})
  AND NOT EXISTS (SELECT 1 FROM benchmark_items WHERE benchmark_id = ${quote(id)});
SELECT count(*) AS items FROM benchmark_items WHERE benchmark_id = ${quote(id)};
`;
const sqlFile = path.join(mkdtempSync(path.join(tmpdir(), "userville-bench-")), "benchmark.sql");
writeFileSync(sqlFile, sql);
if (dryRun) {
  console.log(`benchmark ${id}: ${items.length} items × ${b.trials} trials valid; SQL in ${sqlFile}`);
  process.exit(0);
}
const persist = process.env.USERVILLE_STATE_DIR ? ["--persist-to", process.env.USERVILLE_STATE_DIR] : [];
const wrangler = path.join(import.meta.dirname, "..", "node_modules", ".bin", "wrangler");
const result = spawnSync(
  wrangler,
  [
    "d1",
    "execute",
    "DB",
    remote ? "--remote" : "--local",
    ...(remote ? [] : persist),
    "--file",
    sqlFile,
    "--json",
  ],
  {
    stdio: ["ignore", "pipe", "inherit"],
    encoding: "utf8",
    env: { ...process.env, WRANGLER_SEND_METRICS: "false" },
  },
);
if (result.status !== 0) process.exit(result.status ?? 1);
const stored =
  (JSON.parse(result.stdout) as { results: { items?: number }[] }[]).at(-1)?.results[0]?.items ?? 0;
if (stored === 0) {
  console.error(
    `benchmark ${id} was not created: are all its tasks in account ${account}? (import them first)`,
  );
  process.exit(1);
}
console.log(`benchmark ${id} in ${remote ? "remote" : "local"} D1: ${stored} items × ${b.trials} trials`);
