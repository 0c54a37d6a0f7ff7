#!/usr/bin/env node
/**
 * npm run demo:agent -- [--strategy ask|thorough|silent] [--agent NAME] [--version V] [--benchmark ID]
 *
 * A scripted agent: a small client of the public API that plays one leaderboard run. The run ends when its
 * last session finishes (nothing to submit) and becomes an entry; only then are its scores readable.
 * USERVILLE_URL (default http://localhost:8787); USERVILLE_KEY, or a key made with BOOTSTRAP_ADMIN_KEY
 * (from the environment, else .dev.vars). Strategies:
 *   ask       one short question, styled for the user's preference, then a guess from the answer (default)
 *   thorough  asks for the file, then the function, and predicts exactly that: right, but costly for the user
 *   silent    never asks; guesses from the prompt alone
 */
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

export function client(baseUrl, key) {
  return async function api(method, route, body) {
    for (let attempt = 0; ; attempt++) {
      const res = await fetch(`${baseUrl}${route}`, {
        method,
        headers: { Authorization: `Bearer ${key}`, ...(body ? { "Content-Type": "application/json" } : {}) },
        body: body ? JSON.stringify(body) : undefined,
      });
      const json = await res.json().catch(() => null);
      // The per-key rate limit is worth waiting for; the daily run quota is not.
      if (res.status === 429 && !route.endsWith("/runs") && attempt < 3) {
        await new Promise((r) =>
          setTimeout(r, Math.min(5, Number(res.headers.get("Retry-After")) || 1) * 1000),
        );
        continue;
      }
      if (!res.ok)
        throw new Error(`${method} ${route} → ${res.status}: ${JSON.stringify(json?.error ?? json)}`);
      return json;
    }
  };
}

/** Restyles a question for the preferences a script can honour; null when the user wants none at all. */
function styled(question, preference) {
  switch (preference) {
    case "no_ask":
      return null;
    case "capital":
      return question.toUpperCase();
    case "commas":
      return question.replaceAll(",", "");
    case "json":
      return JSON.stringify({ question });
    default:
      return question;
  }
}

const looksLikeQuestion = (prompt) => /\?\s*(\.\.\.)?\s*$/.test(prompt.trim());
/** The reply without the simulated user's hedges ("…, I think."). */
const bare = (text) => text.replace(/,?\s*I (think|believe|guess)\.?$/i, "").replace(/[.!]$/, "");
/** The name the user gave: the reply's last token once the hedge is gone ("Look at X, I think." → X). */
const identifier = (text) =>
  bare(text)
    .split(/\s+/)
    .at(-1)
    ?.replace(/^[^\w]+|[^\w]+$/g, "") || null;
const filePath = (text) => text.match(/[\w./-]+\.\w+/)?.[0] ?? null;

/** Plays one session; returns the prediction it made and what finish answered (for a run: only the state). */
export async function playSession(api, session, strategy) {
  const research = looksLikeQuestion(session.prompt);
  const ask = async (text) => {
    const question = strategy === "thorough" ? text : styled(text, session.preference.id);
    if (!question) return null;
    return (await api("POST", `/v1/sessions/${session.id}/questions`, { question })).answer;
  };
  let prediction;
  if (strategy === "silent") {
    prediction = research ? "unknown" : [identifier(session.prompt) ?? "main"];
  } else if (research) {
    const reply = await ask("What is the name?");
    prediction = reply ? bare(reply) : "unknown";
  } else if (strategy === "thorough") {
    const file = filePath((await ask("Which file should I change?")) ?? "");
    const fn = identifier((await ask("Which function should I fix?")) ?? "");
    prediction = [file && fn ? `${file}::${fn}` : (fn ?? "main")];
  } else {
    const reply = await ask("Which function should I fix?");
    prediction = [(reply && identifier(reply)) ?? "main"];
  }
  return { prediction, finished: await api("POST", `/v1/sessions/${session.id}/finish`, { prediction }) };
}

/** Plays one run on `benchmark`; once its last session finished the run has ended: returns it and its entry. */
export async function playRun({
  baseUrl,
  key,
  benchmark = "bench_demo",
  agent = "demo-agent",
  version = "1.0.0",
  strategy = "ask",
  concurrency = 4,
}) {
  const api = client(baseUrl, key);
  const run = await api("POST", `/v1/benchmarks/${benchmark}/runs`, { agent, version });
  const queue = [...run.sessions];
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let s = queue.shift(); s; s = queue.shift()) await playSession(api, s, strategy);
    }),
  );
  const ended = await api("GET", `/v1/runs/${run.id}`);
  if (ended.state !== "ended" || !ended.entry_id)
    throw new Error(`run ${run.id} did not end: ${JSON.stringify(ended.progress)}`);
  const entry = await api("GET", `/v1/leaderboards/${benchmark}/entries/${ended.entry_id}`);
  return { run, entry };
}

/** A fresh account's key, made with the bootstrap admin key, with credits for a few runs. */
export async function createDemoKey(baseUrl, adminKey, name = "demo-agent") {
  const res = await fetch(`${baseUrl}/v1/keys`, {
    method: "POST",
    headers: { Authorization: `Bearer ${adminKey}`, "Content-Type": "application/json" },
    body: JSON.stringify({ name, credits: 10_000 }),
  });
  if (res.status !== 201) throw new Error(`POST /v1/keys → ${res.status}: ${await res.text()}`);
  return (await res.json()).key;
}

function devVar(name) {
  const file = path.join(root, ".dev.vars");
  if (!existsSync(file)) return undefined;
  return (
    readFileSync(file, "utf8")
      .match(new RegExp(`^${name}=(.*)$`, "m"))?.[1]
      ?.trim() || undefined
  );
}

async function main() {
  const args = process.argv.slice(2);
  const opt = (name, fallback) =>
    args.includes(`--${name}`) ? args[args.indexOf(`--${name}`) + 1] : fallback;
  const strategy = opt("strategy", "ask");
  if (!["ask", "thorough", "silent"].includes(strategy)) throw new Error(`unknown strategy ${strategy}`);
  const baseUrl = (process.env.USERVILLE_URL ?? "http://localhost:8787").replace(/\/$/, "");
  let key = process.env.USERVILLE_KEY;
  if (!key) {
    const admin = process.env.BOOTSTRAP_ADMIN_KEY ?? devVar("BOOTSTRAP_ADMIN_KEY");
    if (!admin) throw new Error("set USERVILLE_KEY, or BOOTSTRAP_ADMIN_KEY to create one");
    key = await createDemoKey(baseUrl, admin);
  }
  const benchmark = opt("benchmark", "bench_demo");
  const started = Date.now();
  const { run, entry } = await playRun({
    baseUrl,
    key,
    benchmark,
    agent: opt("agent", strategy === "ask" ? "demo-agent" : `demo-agent-${strategy}`),
    version: opt("version", "1.0.0"),
    strategy,
  });
  const pct = (x) => (x === null || x === undefined ? "—" : `${(x * 100).toFixed(1)}%`);
  const s = entry.scores;
  console.log(
    `run ${run.id}: ${run.sessions.length} sessions played in ${((Date.now() - started) / 1000).toFixed(1)} s`,
  );
  console.log(
    `entry ${entry.id} (${entry.agent} ${entry.version ?? ""}; run ${entry.runs_started} of this account here)`,
  );
  for (const d of ["avg", "productivity", "proactivity", "personalization"]) {
    const ci = s[d].ci ? ` [${pct(s[d].ci[0])}, ${pct(s[d].ci[1])}]` : "";
    console.log(`  ${d.padEnd(16)} ${pct(s[d].mean)}${ci}`);
  }
  console.log(
    `  ${"pass^k".padEnd(16)} ${Object.entries(s.pass_k)
      .map(([k, v]) => `${k}: ${pct(v)}`)
      .join(", ")}`,
  );
  console.log(`  ${"ask ratio".padEnd(16)} ${pct(s.ask_ratio)}`);
  console.log(`${baseUrl}/leaderboard/${benchmark}/entries/${entry.id}`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((err) => {
    console.error(`demo-agent: ${err.message}`);
    process.exit(1);
  });
}
