#!/usr/bin/env node
// npm run runner:dev: the local Ray-compatible runner on 127.0.0.1:8265 (RUNNER_PORT), for `npm start`.
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { startLocalRunner } from "./lib/local-runner.mjs";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
/** The same values `npm start` uses: the environment, then .dev.vars, then .dev.vars.example. */
function setting(name) {
  if (process.env[name] !== undefined) return process.env[name];
  for (const file of [".dev.vars", ".dev.vars.example"]) {
    const full = path.join(root, file);
    if (!existsSync(full)) continue;
    const match = readFileSync(full, "utf8").match(new RegExp(`^${name}=(.*)$`, "m"));
    if (match) return match[1].trim();
  }
  return "";
}

const runner = await startLocalRunner({
  port: Number(process.env.RUNNER_PORT ?? 8265),
  host: process.env.RUNNER_HOST ?? "127.0.0.1",
  stepMs: Number(process.env.RUNNER_STEP_MS ?? 1000),
  secrets: setting("RUNNER_WEBHOOK_SECRET").split(/\s+/).filter(Boolean),
  token: setting("RAY_JOBS_TOKEN"),
  log: (line) => console.log(line),
});
// The server is unref'd for tests; here it is the whole process.
const keepAlive = setInterval(() => {}, 1 << 30);
console.log(
  `[runner] Ray Jobs API and runner protocol on ${runner.url} (step every ${process.env.RUNNER_STEP_MS ?? 1000} ms)`,
);
for (const signal of ["SIGINT", "SIGTERM"])
  process.on(signal, async () => {
    clearInterval(keepAlive);
    await runner.close();
    process.exit(0);
  });
