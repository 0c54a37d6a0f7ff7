#!/usr/bin/env node
// npm start: make .dev.vars, migrate and seed the local D1, then serve the worker(s) with wrangler dev.
import { spawn, spawnSync } from "node:child_process";
import { appendFileSync, copyFileSync, existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
process.chdir(root);
process.env.WRANGLER_SEND_METRICS ??= "false";

if (!existsSync(".dev.vars")) {
  copyFileSync(".dev.vars.example", ".dev.vars");
  console.log("[start] created .dev.vars from .dev.vars.example");
} else {
  // A .dev.vars made before a variable joined the example gets its development value, so new features work.
  const current = readFileSync(".dev.vars", "utf8");
  const missing = [...readFileSync(".dev.vars.example", "utf8").matchAll(/^([A-Z][A-Z0-9_]*)=.*$/gm)].filter(
    (m) => !new RegExp(`^${m[1]}=`, "m").test(current),
  );
  if (missing.length) {
    appendFileSync(
      ".dev.vars",
      `${current.endsWith("\n") ? "" : "\n"}${missing.map((m) => m[0]).join("\n")}\n`,
    );
    console.log(`[start] added ${missing.map((m) => m[1]).join(", ")} to .dev.vars from .dev.vars.example`);
  }
}

const port = process.env.PORT ?? "8787";
// A separate state folder lets tests and benchmarks run beside a developer's own local data.
const persist = process.env.USERVILLE_STATE_DIR ? ["--persist-to", process.env.USERVILLE_STATE_DIR] : [];
const wrangler = path.join(root, "node_modules", ".bin", "wrangler");

function run(args) {
  const result = spawnSync(wrangler, args, { stdio: "inherit" });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

run(["d1", "migrations", "apply", "DB", "--local", ...persist]);
const seeded = spawnSync(
  process.execPath,
  [path.join(root, "node_modules/tsx/dist/cli.mjs"), "scripts/tasks-import.ts", "seed/demo-tasks.jsonl"],
  {
    stdio: "inherit",
  },
);
if (seeded.status !== 0) process.exit(seeded.status ?? 1);
// The demo benchmark over those tasks (bench_demo); idempotent.
const benchmark = spawnSync(
  process.execPath,
  [
    path.join(root, "node_modules/tsx/dist/cli.mjs"),
    "scripts/benchmarks-seed.ts",
    "seed/demo-benchmark.json",
  ],
  { stdio: "inherit" },
);
if (benchmark.status !== 0) process.exit(benchmark.status ?? 1);

// Variables set in our environment win over .dev.vars (wrangler takes --var over the file).
const names = [...readFileSync(".dev.vars.example", "utf8").matchAll(/^([A-Z][A-Z0-9_]*)=/gm)].map(
  (m) => m[1],
);
const overrides = names
  .filter((name) => process.env[name] !== undefined)
  .flatMap((name) => ["--var", `${name}:${process.env[name]}`]);

const dev = spawn(wrangler, ["dev", "--port", port, ...persist, ...overrides, ...process.argv.slice(2)], {
  stdio: "inherit",
});
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => dev.kill(signal));
dev.on("exit", (code, signal) => process.exit(code ?? (signal ? 0 : 1)));
