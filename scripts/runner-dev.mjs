#!/usr/bin/env node
/**
 * npm run runner:dev: the local Ray-compatible runner (scripts/lib/local-runner.mjs) for `npm start`.
 * It listens where the dispatcher looks: the port (and loopback host) of RAY_JOBS_URL, read as `npm start`
 * reads it (the environment, then .dev.vars, then .dev.vars.example), so the two agree by default.
 * Jobs run their entrypoint (RAY_ENTRYPOINT, `python -m userville.train`) as real processes, with the repo's
 * python/ first on PYTHONPATH so the package needs no install.
 *
 *   RUNNER_ENTRYPOINT                         the command of HTTP-protocol jobs (default RAY_ENTRYPOINT's)
 *   RAY_JOB_STOP_WAIT_TIME_S                  SIGTERM → SIGKILL grace on stop (default 3, as Ray)
 */
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

/** The dispatcher's default when no setting names one (workers/dispatcher/wrangler.toml [vars]). */
function tomlDefault(name) {
  const toml = readFileSync(path.join(root, "workers/dispatcher/wrangler.toml"), "utf8");
  return toml.match(new RegExp(`^${name}\\s*=\\s*"(.*)"`, "m"))?.[1] ?? "";
}

const rayUrl = new URL(setting("RAY_JOBS_URL") || tomlDefault("RAY_JOBS_URL") || "http://127.0.0.1:8265");
const loopback = ["127.0.0.1", "localhost", "[::1]"].includes(rayUrl.hostname);
if (!loopback)
  console.warn(`[runner] RAY_JOBS_URL is ${rayUrl.origin}, not loopback: listening on 127.0.0.1 at its port`);
const port = Number(rayUrl.port || (rayUrl.protocol === "https:" ? 443 : 80));
const pythonPath = [path.join(root, "python"), process.env.PYTHONPATH].filter(Boolean).join(path.delimiter);

const runner = await startLocalRunner({
  port,
  host: rayUrl.hostname === "localhost" || !loopback ? "127.0.0.1" : rayUrl.hostname.replace(/^\[|\]$/g, ""),
  mode: "exec",
  token: setting("RAY_JOBS_TOKEN"),
  entrypoint:
    process.env.RUNNER_ENTRYPOINT ||
    setting("RAY_ENTRYPOINT") ||
    tomlDefault("RAY_ENTRYPOINT") ||
    "python -m userville.train",
  env: { PYTHONPATH: pythonPath },
  cwd: root,
  log: (line) => console.log(line),
});
// The server is unref'd for tests; here it is the whole process.
const keepAlive = setInterval(() => {}, 1 << 30);
console.log(
  `[runner] Ray Jobs API and runner protocol on ${runner.url} (entrypoints run as processes; job logs in ${runner.logDir})`,
);
for (const signal of ["SIGINT", "SIGTERM"])
  process.on(signal, async () => {
    clearInterval(keepAlive);
    await runner.close();
    process.exit(0);
  });
