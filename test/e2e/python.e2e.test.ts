import { spawn } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
// @ts-expect-error plain ESM helper shared with the benchmark
import { startService } from "../../scripts/lib/local-service.mjs";

const root = path.resolve(import.meta.dirname, "../..");
const liveDir = path.join(root, "python/tests/live");

let service: { baseUrl: string; adminKey: string; stop: () => Promise<void> };

beforeAll(async () => {
  service = await startService();
});
afterAll(async () => {
  await service?.stop();
});

/** The number of `def test_` in the live test files: the run must execute at least that many. */
function writtenTests() {
  return readdirSync(liveDir)
    .filter((f) => /^test_.*\.py$/.test(f))
    .reduce(
      (n, f) => n + (readFileSync(path.join(liveDir, f), "utf8").match(/^\s+def test_/gm) ?? []).length,
      0,
    );
}

function run(cmd: string, args: string[], env: Record<string, string>) {
  return new Promise<{ code: number | null; output: string }>((resolve) => {
    const child = spawn(cmd, args, { cwd: root, env: { ...process.env, ...env } });
    let output = "";
    child.stdout.on("data", (d) => {
      output += d;
    });
    child.stderr.on("data", (d) => {
      output += d;
    });
    child.on("close", (code) => resolve({ code, output }));
  });
}

describe("the Python package against npm start", () => {
  it("passes every live test (client and the TRL, verl and OpenRLHF adapters), none skipped", async () => {
    const { code, output } = await run(
      "python3",
      ["-m", "unittest", "discover", "-s", "python/tests/live", "-t", "python", "-v"],
      {
        PYTHONPATH: "python",
        USERVILLE_API_URL: service.baseUrl,
        USERVILLE_ADMIN_KEY: service.adminKey,
        USERVILLE_API_KEY: "",
      },
    );
    const ran = Number(output.match(/^Ran (\d+) tests?/m)?.[1] ?? 0);
    expect(code, output).toBe(0);
    expect(ran, output).toBeGreaterThanOrEqual(writtenTests());
    expect(output).not.toMatch(/skipped/);
  });

  it("fails, not skips, when the service settings are missing", async () => {
    const { code, output } = await run(
      "python3",
      ["-m", "unittest", "python.tests.live.test_client_live.Reads.test_preferences"],
      { PYTHONPATH: "python", USERVILLE_API_URL: "", USERVILLE_ADMIN_KEY: "" },
    );
    expect(code).not.toBe(0);
    expect(output).toContain("USERVILLE_API_URL and USERVILLE_ADMIN_KEY must be set");
    expect(output).not.toMatch(/skipped/);
  });
});
