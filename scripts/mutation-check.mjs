#!/usr/bin/env node
// npm run mutation:check: plants, one at a time, bugs that the workerd suite once let through (issue #14
// item 9), runs only the test files that guard each, and reports whether a test failed (caught) or all
// passed (missed). Each mutant is a string replacement that must match exactly once; the file is restored
// in a `finally`, and on SIGINT/SIGTERM. Exits 1 if a mutant survived, 2 if the set-up is broken.
//   node scripts/mutation-check.mjs [--only 1,3a] [--no-baseline] [--show (the failures of each mutant)]
// Not part of `npm test`: it edits source files in place while it runs, so run it on a quiet tree.
import { spawn } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { stripVTControlCharacters } from "node:util";

const root = path.resolve(import.meta.dirname, "..");

const MUTANTS = [
  {
    id: "1",
    bug: "/v1/usage without its account filter",
    file: "src/services/billing-queries.ts",
    from: `    eq(ledger.accountId, actor.accountId),\n    inArray(ledger.kind, ["charge", "refund"]),`,
    to: `    inArray(ledger.kind, ["charge", "refund"]),`,
    tests: ["test/routes/usage.test.ts", "test/routes/billing.test.ts"],
  },
  {
    id: "2",
    bug: "advance() without its `rank <` guard",
    file: "src/training/store.ts",
    from: `        lt(trainingJobs.rank, RANK[to]),\n`,
    to: "",
    tests: ["test/training/transitions.test.ts", "test/routes/training.test.ts"],
  },
  {
    id: "3a",
    bug: "LLM token surcharge not capped at the balance",
    file: "src/services/billing.ts",
    from: `const capped = sql\`MIN(\${accounts.credits}, \${cost})\`;`,
    to: `const capped = sql\`\${cost}\`;`,
    tests: ["test/routes/billing-llm.test.ts", "test/routes/sessions-llm.test.ts"],
  },
  {
    id: "3b",
    bug: "LLM token surcharge rounded down",
    file: "src/services/billing.ts",
    from: "Math.ceil(tokens / 1000)",
    to: "Math.floor(tokens / 1000)",
    tests: ["test/routes/billing-llm.test.ts", "test/routes/sessions-llm.test.ts"],
  },
  {
    id: "4",
    bug: "items-form training job ignores dr_grpo",
    file: "src/routes/training/create-job.ts",
    from: "withAdvantages(scores, groups, mode)",
    to: 'withAdvantages(scores, groups, "grpo")',
    tests: ["test/routes/training.test.ts"],
  },
  {
    id: "4b",
    bug: "GRPO std biased (÷n, not ÷(n−1))",
    file: "src/userville/grpo.ts",
    from: "Math.sqrt(squares / (values.length - 1))",
    to: "Math.sqrt(squares / values.length)",
    tests: ["test/routes/score.test.ts"],
  },
  {
    id: "5",
    bug: "racing asks both refused (an in-flight check with no winner)",
    file: "src/services/session-ask.ts",
    from: `    sessions,\n    and(eq(sessions.id, row.id), eq(sessions.state, "open"), eq(sessions.questionCount, position)),\n  );`,
    // Refuses while another ask of the account is charged but neither answered nor refunded: when two race,
    // each sees the other, so neither gets the turn; one ask at a time still works.
    to: [
      "    sessions,",
      "    and(",
      "      eq(sessions.id, row.id),",
      '      eq(sessions.state, "open"),',
      "      eq(sessions.questionCount, position),",
      `      sql\`not exists (select 1 from ledger l where l.account_id = \${actor.accountId} and l.route = 'session_question' ` +
        `and l.kind = 'charge' and l.request_id is not \${requestId ?? null} ` +
        "and not exists (select 1 from session_questions q where q.request_id = l.request_id) " +
        "and not exists (select 1 from ledger r where r.id = 'led_rf_' || l.id))`,",
      "    ),",
      "  );",
    ].join("\n"),
    tests: ["test/routes/sessions.test.ts"],
  },
];

const args = process.argv.slice(2);
const only = args.includes("--only") ? args[args.indexOf("--only") + 1]?.split(",") : null;
const chosen = only ? MUTANTS.filter((m) => only.includes(m.id)) : MUTANTS;
if (chosen.length === 0) {
  console.error(`No mutant matches --only ${only}; ids: ${MUTANTS.map((m) => m.id).join(", ")}`);
  process.exit(2);
}

/** The file being mutated right now, so that a signal can put it back. */
let planted = null;
let child = null;

function restore() {
  if (!planted) return;
  const { absolute, original, mutated, mutant } = planted;
  const current = readFileSync(absolute, "utf8");
  if (current === mutated) writeFileSync(absolute, original);
  else if (current.split(mutant.to).length === 2 && mutant.to !== "")
    // Someone edited the file meanwhile: undo only our replacement, keep their change.
    writeFileSync(absolute, current.replace(mutant.to, mutant.from));
  else if (current !== original)
    console.error(`!! ${mutant.file} changed while mutant ${mutant.id} was planted: check it by hand.`);
  planted = null;
}

for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) {
  process.on(signal, () => {
    if (child) process.kill(-child.pid, "SIGTERM");
    restore();
    console.error(`\n${signal}: restored the source; stopping.`);
    process.exit(130);
  });
}
process.on("exit", restore);

/** Runs vitest on some files; resolves with its exit code, the counts, and the names of failed tests. */
function vitest(files) {
  return new Promise((resolve) => {
    const started = Date.now();
    // Its own process group, so that a signal can stop vitest and the workerd it started, all of them.
    child = spawn(path.join(root, "node_modules/.bin/vitest"), ["run", ...files], {
      cwd: root,
      detached: true,
      env: { ...process.env, WRANGLER_SEND_METRICS: "false", FORCE_COLOR: "0", NO_COLOR: "1", CI: "1" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    child.stdout.on("data", (d) => {
      out += d;
    });
    child.stderr.on("data", (d) => {
      out += d;
    });
    child.on("close", (code) => {
      child = null;
      const text = stripVTControlCharacters(out);
      const failed = [...new Set([...text.matchAll(/^\s*FAIL\s+(.+?)\s*$/gm)].map((m) => m[1]))].filter(
        (name) => name.includes(">"),
      );
      const counts = text.match(/^\s*Tests\s+(.+)$/m)?.[1]?.trim() ?? "no test summary";
      resolve({ code: code ?? 1, failed, counts, seconds: (Date.now() - started) / 1000, text });
    });
  });
}

function plant(mutant) {
  const absolute = path.join(root, mutant.file);
  const original = readFileSync(absolute, "utf8");
  const matches = original.split(mutant.from).length - 1;
  if (matches !== 1)
    throw new Error(`mutant ${mutant.id}: its text occurs ${matches} times in ${mutant.file}, not once`);
  const mutated = original.replace(mutant.from, () => mutant.to);
  planted = { absolute, original, mutated, mutant };
  writeFileSync(absolute, mutated);
}

const files = [...new Set(chosen.flatMap((m) => m.tests))];
if (!args.includes("--no-baseline")) {
  console.log(`baseline: ${files.join(" ")}`);
  const base = await vitest(files);
  if (base.code !== 0) {
    console.error(base.text.slice(-4000));
    console.error(
      `\nThe unmutated suite fails (${base.counts}): a mutant "caught" would mean nothing. Fix that first.`,
    );
    process.exit(2);
  }
  console.log(`baseline passes (${base.counts}, ${base.seconds.toFixed(0)} s)\n`);
}

const rows = [];
for (const mutant of chosen) {
  process.stdout.write(`mutant ${mutant.id}: ${mutant.bug} … `);
  let run;
  try {
    plant(mutant);
    run = await vitest(mutant.tests);
  } catch (err) {
    restore();
    console.error(`\n${err.message}`);
    process.exit(2);
  } finally {
    restore();
  }
  const caught = run.code !== 0 && run.failed.length > 0;
  const errored = run.code !== 0 && run.failed.length === 0;
  const result = caught ? "caught" : errored ? "error" : "MISSED";
  console.log(`${result} (${run.counts}, ${run.seconds.toFixed(0)} s)`);
  if (errored) console.error(run.text.slice(-3000));
  else if (caught && args.includes("--show"))
    console.log(run.text.slice(run.text.indexOf("Failed Tests")).slice(0, 3000));
  rows.push({ ...mutant, result, failed: run.failed });
}

const short = (name) => name.replace(/^test\//, "").replace(/\.test\.ts/, "");
console.log("\n| # | planted bug | file | result | failing tests |");
console.log("|---|---|---|---|---|");
for (const r of rows) {
  const failing = r.failed.map(short).join("<br>") || "—";
  console.log(`| ${r.id} | ${r.bug} | ${r.file} | ${r.result} | ${failing} |`);
}
const survived = rows.filter((r) => r.result !== "caught");
console.log(
  survived.length
    ? `\n${survived.length} of ${rows.length} mutants not caught: ${survived.map((r) => r.id).join(", ")}`
    : `\nall ${rows.length} mutants caught`,
);
process.exit(survived.length ? 1 : 0);
