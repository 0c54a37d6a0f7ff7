#!/usr/bin/env node
// npm run bench: starts the local service and measures, in one run, the empty route, /v1/score and a
// 512-item /v1/score/batch (one paper training step). Prints a Markdown table for the README.
import os from "node:os";
import autocannon from "autocannon";
import { startService } from "./lib/local-service.mjs";
import { scoreItem, trainingStep } from "./lib/sample-trajectories.mjs";

const seconds = Number(process.env.BENCH_SECONDS ?? 10);
const connections = 10;

function load(url, opts = {}) {
  return autocannon({ url, connections, duration: seconds, ...opts });
}

function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

const service = await startService();
try {
  // Customer keys with credits; requests rotate over them to stay under each key's rate limit (600/min).
  const keys = [];
  for (let i = 0; i < 40; i++) {
    const keyRes = await fetch(`${service.baseUrl}/v1/keys`, {
      method: "POST",
      headers: { Authorization: `Bearer ${service.adminKey}`, "Content-Type": "application/json" },
      body: JSON.stringify({ name: `bench-${i}`, credits: 1_000_000 }),
    });
    keys.push((await keyRes.json()).key);
  }
  const headers = { Authorization: `Bearer ${keys[0]}`, "Content-Type": "application/json" };
  const operator = { Authorization: `Bearer ${service.adminKey}`, "Content-Type": "application/json" };
  let turn = 0;
  const rotating = (body) => ({
    requests: [
      {
        method: "POST",
        body,
        setupRequest: (req) => ({
          ...req,
          headers: { ...req.headers, Authorization: `Bearer ${keys[turn++ % keys.length]}` },
        }),
      },
    ],
  });

  // Warm-up so the first compile is not measured.
  await load(`${service.baseUrl}/healthz`, { duration: 2 });
  const empty = await load(`${service.baseUrl}/healthz`);
  const body = JSON.stringify(scoreItem(0));
  const check = await fetch(`${service.baseUrl}/v1/score`, { method: "POST", headers, body });
  if (check.status !== 200) throw new Error(`/v1/score answered ${check.status}: ${await check.text()}`);
  const score = await load(`${service.baseUrl}/v1/score`, { method: "POST", headers: operator, body });
  const meteredScore = await load(`${service.baseUrl}/v1/score`, { headers, ...rotating(body) });

  const times = [];
  let batchBody = "";
  for (let i = 0; i < 30; i++) {
    batchBody = JSON.stringify(trainingStep(i));
    const t0 = performance.now();
    const res = await fetch(`${service.baseUrl}/v1/score/batch`, {
      method: "POST",
      headers,
      body: batchBody,
    });
    const json = await res.json();
    if (res.status !== 200 || json.results.length !== 512) throw new Error(`batch answered ${res.status}`);
    times.push(performance.now() - t0);
  }
  const sorted = times.slice(5).sort((a, b) => a - b);

  const row = (name, r) =>
    `| ${name} | ${r.requests.average.toFixed(0)} | ${r.latency.p50} | ${r.latency.p99} | ${r.non2xx} |`;
  const ratio = score.requests.average / empty.requests.average;
  console.log(
    `\nUserVille API benchmark — ${new Date().toISOString().slice(0, 10)}, ${os.cpus().length} × ${os.cpus()[0]?.model}, Node ${process.version}, wrangler dev (workerd), ${connections} connections, ${seconds} s each\n`,
  );
  console.log("| route | req/s | p50 ms | p99 ms | non-2xx |");
  console.log("|---|---|---|---|---|");
  console.log(row("GET /healthz (empty route)", empty));
  console.log(row("POST /v1/score (rules engine, operator key: unmetered)", score));
  console.log(row("POST /v1/score (rules engine, customer keys: charged)", meteredScore));
  console.log(
    `\n/v1/score throughput = ${(ratio * 100).toFixed(1)}% of the empty route unmetered (aim ≥ 70%), ${((meteredScore.requests.average / empty.requests.average) * 100).toFixed(1)}% charged (one D1 write batch per call).`,
  );
  console.log(
    `512-item /v1/score/batch with GRPO advantages, charged (${(batchBody.length / 1024).toFixed(0)} KiB body), 64 new tasks per step, 25 timed runs end to end: ` +
      `p50 ${percentile(sorted, 50).toFixed(1)} ms, p99 ${percentile(sorted, 99).toFixed(1)} ms, max ${sorted.at(-1).toFixed(1)} ms (aim < 250 ms).`,
  );
} finally {
  await service.stop();
}
