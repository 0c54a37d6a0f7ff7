#!/usr/bin/env node
// npm run bench:train: one tabular training step at the paper's shape (64 rows × 8 rollouts = 512 real
// sessions) through `python -m userville.train`'s local mode against a fresh `npm start`. Reports wall time per
// step, service calls per step and the share of the rollout threads' time spent waiting on the service.
// BENCH_KEYS (default 16) keys of one account are used in turn: one key allows 600 requests a minute, and a
// step makes ~1,700 calls. BENCH_KEYS=1 shows what the per-key limit does. BENCH_STEPS (default 1).
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { startService } from "./lib/local-service.mjs";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const keyCount = Number(process.env.BENCH_KEYS ?? 16);
const steps = Number(process.env.BENCH_STEPS ?? 1);

async function post(baseUrl, key, route, body) {
  const res = await fetch(`${baseUrl}${route}`, {
    method: "POST",
    headers: { Authorization: `Bearer ${key}`, "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });
  const json = await res.json();
  if (!res.ok) throw new Error(`${route} answered ${res.status}: ${JSON.stringify(json)}`);
  return json;
}

function run(cmd, args, env) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: root, env: { ...process.env, ...env }, stdio: "inherit" });
    child.on("error", reject);
    child.on("exit", (code) => (code === 0 ? resolve() : reject(new Error(`${cmd} exited with ${code}`))));
  });
}

const service = await startService();
const work = mkdtempSync(path.join(os.tmpdir(), "bench-train-"));
try {
  const first = await post(service.baseUrl, service.adminKey, "/v1/keys", {
    name: "bench-train",
    credits: 100_000_000,
  });
  const keys = [first.key];
  for (let i = 1; i < keyCount; i++) {
    const extra = await post(service.baseUrl, service.adminKey, "/v1/keys", {
      name: `bench-train-${i}`,
      account_id: first.account_id,
    });
    keys.push(extra.key);
  }
  // The demo tasks, copied into the account: 32 tasks × 13 rows; each step takes 64 of them.
  const taskIds = [];
  for (const line of readFileSync(path.join(root, "seed/demo-tasks.jsonl"), "utf8").split("\n")) {
    if (!line.trim()) continue;
    const { id: _id, title: _title, ...task } = JSON.parse(line);
    taskIds.push((await post(service.baseUrl, first.key, "/v1/tasks", task)).id);
  }
  const eventsFile = path.join(work, "events.jsonl");
  const args = ["-m", "userville.train", "--api-url", service.baseUrl, "--events", eventsFile];
  for (const key of keys) args.push("--api-key", key);
  for (const id of taskIds) args.push("--task", id);
  args.push("--steps", String(steps), "--group-size", "8", "--batch-size", "64", "--workers", "16");
  args.push("--checkpoint-dir", work);
  const t0 = performance.now();
  await run("python3", args, { PYTHONPATH: path.join(root, "python") });
  const total = (performance.now() - t0) / 1000;

  const events = readFileSync(eventsFile, "utf8").trim().split("\n").map(JSON.parse);
  const progress = events.filter((e) => e.type === "progress");
  if (progress.length !== steps || events.at(-1).type !== "succeeded")
    throw new Error(`unexpected events: ${events.map((e) => e.type).join(", ")}`);
  console.log(
    `\nTabular training step — ${new Date().toISOString().slice(0, 10)}, ${os.cpus().length} × ${os.cpus()[0]?.model}, ` +
      `Node ${process.version}, wrangler dev (workerd), rules engine, ${keyCount} key(s) of one account, 16 threads\n`,
  );
  console.log(
    "| step | sessions | wall s | service calls | calls/s | time waiting on the service | reward/total |",
  );
  console.log("|---|---|---|---|---|---|---|");
  for (const e of progress) {
    const m = e.metrics;
    console.log(
      `| ${e.step} | ${m.sessions} | ${m["time/step_s"].toFixed(1)} | ${m["service/calls"]} | ` +
        `${(m["service/calls"] / m["time/step_s"]).toFixed(0)} | ${(m["service/wait_share"] * 100).toFixed(0)}% | ` +
        `${m["reward/total"].toFixed(3)} |`,
    );
  }
  console.log(`\nWhole process (token-free local mode, start-up included): ${total.toFixed(1)} s.`);
} finally {
  await service.stop();
  rmSync(work, { recursive: true, force: true });
}
