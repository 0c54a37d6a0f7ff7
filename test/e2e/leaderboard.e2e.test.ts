import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { type BrowserContext, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
// @ts-expect-error plain ESM script, also run by `npm run demo:agent`
import { client, createDemoKey, playRun, playSession } from "../../scripts/demo-agent.mjs";
// @ts-expect-error plain ESM helper shared with the benchmark
import { startService } from "../../scripts/lib/local-service.mjs";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const RESULTS = path.join(import.meta.dirname, "../../test-results");

let service: { baseUrl: string; adminKey: string; stop: () => Promise<void> };
let browser: BrowserContext | undefined;
let profile: string | undefined;

beforeAll(async () => {
  service = await startService();
});
afterAll(async () => {
  await browser?.close();
  if (profile) rmSync(profile, { recursive: true, force: true });
  await service?.stop();
});

const board = async (query = "") =>
  (await (
    await fetch(`${service.baseUrl}/v1/leaderboards/bench_demo${query}`, {
      headers: { Authorization: `Bearer ${service.adminKey}` },
    })
  ).json()) as { entries: { id: string; agent: string; scores: any }[] };

const rowIds = (page: Page) =>
  page
    .locator("tbody tr[data-entry-id]")
    .evaluateAll((rows) => rows.map((r) => r.getAttribute("data-entry-id")));

describe("hosted leaderboard on npm start", () => {
  it("the demo agent puts entries on bench_demo; each verifies", async () => {
    for (const strategy of ["ask", "thorough", "silent"]) {
      const key = await createDemoKey(service.baseUrl, service.adminKey, `e2e-${strategy}`);
      const { run, entry } = await playRun({
        baseUrl: service.baseUrl,
        key,
        strategy,
        agent: strategy === "ask" ? "demo-agent" : `demo-agent-${strategy}`,
      });
      expect(run.sessions).toHaveLength(48);
      expect(entry.id).toMatch(/^entry_/);
      expect(entry.scores.sessions).toBe(48);
      const verified = await fetch(
        `${service.baseUrl}/v1/leaderboards/bench_demo/entries/${entry.id}/verify`,
        {
          headers: { Authorization: `Bearer ${key}` },
        },
      );
      expect(await verified.json()).toEqual({ valid: true, checks: { signature: true, sessions: true } });
    }
    const { entries } = await board();
    expect(entries.map((e) => e.agent).sort()).toEqual([
      "demo-agent",
      "demo-agent-silent",
      "demo-agent-thorough",
    ]);
    // The thorough agent solves the SWE tasks by asking for file and function.
    expect(entries.find((e) => e.agent === "demo-agent-thorough")?.scores.productivity.mean).toBeGreaterThan(
      0.5,
    );
  });

  it("browser: the page's order matches the JSON, through sorting and the split toggle", async () => {
    if (!existsSync(CHROMIUM))
      throw new Error(`no Chromium at ${CHROMIUM}: apt-get install chromium (or set CHROMIUM_PATH)`);
    mkdirSync(RESULTS, { recursive: true });
    profile = mkdtempSync(path.join(tmpdir(), "userville-chromium-"));
    browser = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
      viewport: { width: 1280, height: 800 },
    });
    const page = await browser.newPage();
    const res = await page.goto(`${service.baseUrl}/leaderboard/bench_demo`);
    expect(res?.status()).toBe(200);
    expect(await page.locator("h1").textContent()).toContain("Demo");
    const byAvg = await rowIds(page);
    expect(byAvg).toEqual((await board()).entries.map((e) => e.id));
    await page.screenshot({ path: path.join(RESULTS, "leaderboard.png"), fullPage: true });

    // The asking agent honours the preferences and the thorough one does not: this sort reorders the rows.
    await Promise.all([
      page.waitForURL(/sort=personalization/),
      page.click('a[data-sort="personalization"]'),
    ]);
    expect(await page.locator('th[aria-sort="descending"]').textContent()).toContain("Personalization");
    const byPersonalization = await rowIds(page);
    expect(byPersonalization).toEqual(
      (await board("?sort=personalization&split=all")).entries.map((e) => e.id),
    );
    expect(byPersonalization).not.toEqual(byAvg);

    await Promise.all([page.waitForURL(/split=unseen/), page.click('a[data-split="unseen"]')]);
    expect(page.url()).toContain("sort=personalization");
    expect(await page.locator('a[data-split="unseen"]').getAttribute("aria-current")).toBe("true");
    expect(await page.locator("caption").textContent()).toContain("Unseen preferences");
    expect(await rowIds(page)).toEqual(
      (await board("?sort=personalization&split=unseen")).entries.map((e) => e.id),
    );
    await page.screenshot({ path: path.join(RESULTS, "leaderboard-unseen.png"), fullPage: true });

    // The entry page: the per-preference breakdown and the signature check.
    await Promise.all([
      page.waitForURL(/\/entries\//),
      page.locator("tbody th[scope=row] a").first().click(),
    ]);
    expect(await page.locator("tr[data-preference]").count()).toBe(4);
    expect(await page.locator(".ok").textContent()).toContain("verified");

    // Readable on a phone: the table scrolls inside its region, the page itself does not.
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${service.baseUrl}/leaderboard/bench_demo`);
    const overflow = await page.evaluate<number>("document.documentElement.scrollWidth - window.innerWidth");
    expect(overflow).toBeLessThanOrEqual(0);
    await page.screenshot({ path: path.join(RESULTS, "leaderboard-phone.png"), fullPage: true });
    console.log(`screenshots in ${RESULTS}: leaderboard.png, leaderboard-unseen.png, leaderboard-phone.png`);
  });

  it("a learning run, then a replay: no score before a run ends; both are entries, each with runs_started 2", async () => {
    const key = await createDemoKey(service.baseUrl, service.adminKey, "e2e-learner");
    const api = client(service.baseUrl, key);
    const itemOf = (s: any) => `${s.task_id}|${s.preference.id}`;
    /** Everything the agent can read about a session while its run is open: no score, label or verdict. */
    const expectConcealed = async (sessionId: string) => {
      const view = await api("GET", `/v1/sessions/${sessionId}`);
      expect(view.score).toBeNull();
      expect(view.usage).toBeNull();
      for (const q of view.questions)
        for (const label of ["tier", "effort", "compliant", "judge", "notes"]) {
          expect(q).not.toHaveProperty(label);
        }
      expect(JSON.stringify(view)).not.toMatch(/reward|productivity|proactivity|personalization/);
    };
    /** The run is open and has no entry yet: the board holds only the account's earlier (ended) runs. */
    const expectOpen = async (runId: string, earlierEntries: number) => {
      const run = await api("GET", `/v1/runs/${runId}`);
      expect(run).toMatchObject({ state: "open", entry_id: null });
      const { entries } = await board();
      expect(entries.filter((e: any) => e.agent === "e2e-learner")).toHaveLength(earlierEntries);
    };

    // The learning run asks for the file and the function everywhere, and remembers what it was told.
    const learning = await api("POST", "/v1/benchmarks/bench_demo/runs", { agent: "e2e-learner" });
    const learned = new Map<string, unknown>();
    for (const [i, session] of learning.sessions.entries()) {
      const { prediction, finished } = await playSession(api, session, "thorough");
      expect(finished).toEqual({ state: "finished" });
      learned.set(itemOf(session), prediction);
      if (i === 0 || i === learning.sessions.length - 2) {
        await expectConcealed(session.id);
        await expectOpen(learning.id, 0);
      }
    }
    const ended = await api("GET", `/v1/runs/${learning.id}`);
    expect(ended).toMatchObject({ state: "ended", ended_by: "finished", runs_started: 1 });
    // Now the transcript carries its labels and score.
    const transcript = await api("GET", `/v1/sessions/${learning.sessions[0].id}`);
    expect(transcript.score).not.toBeNull();
    expect(transcript.questions[0]).toHaveProperty("tier");

    // The replay asks nothing and predicts what the learning run was told.
    const replay = await api("POST", "/v1/benchmarks/bench_demo/runs", { agent: "e2e-learner" });
    for (const [i, session] of replay.sessions.entries()) {
      const finished = await api("POST", `/v1/sessions/${session.id}/finish`, {
        prediction: learned.get(itemOf(session)),
      });
      expect(finished).toEqual({ state: "finished" });
      if (i === replay.sessions.length - 2) {
        await expectConcealed(session.id);
        await expectOpen(replay.id, 1);
      }
    }
    const second = await api("GET", `/v1/runs/${replay.id}`);
    expect(second).toMatchObject({ state: "ended", runs_started: 2 });

    const { entries } = await board();
    const mine = entries.filter((e: any) => e.agent === "e2e-learner") as any[];
    expect(mine.map((e) => e.id).sort()).toEqual([ended.entry_id, second.entry_id].sort());
    expect(mine.map((e) => e.runs_started)).toEqual([2, 2]);
    const replayEntry = mine.find((e) => e.id === second.entry_id);
    const learningEntry = mine.find((e) => e.id === ended.entry_id);
    // The replay scores better (it learned), and the board shows it was the account's second try.
    expect(replayEntry.scores.avg.mean).toBeGreaterThan(learningEntry.scores.avg.mean);
    for (const e of mine) {
      const verified = await api("GET", `/v1/leaderboards/bench_demo/entries/${e.id}/verify`);
      expect(verified).toEqual({ valid: true, checks: { signature: true, sessions: true } });
    }
  });
});
