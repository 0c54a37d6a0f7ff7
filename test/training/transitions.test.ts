import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { createDb } from "../../src/db/client";
import type { JobState } from "../../src/training/states";
import { advance, loadJob } from "../../src/training/store";
import { call, newAccount } from "../helpers";
import { createConfigJob, deliver, dispatcherEnv, recordingQueue, sendEvent } from "../training-helpers";

const db = () => createDb(env.DB);

async function runningJob() {
  const { key, account_id } = await newAccount("transitions");
  const { job } = await createConfigJob(key, account_id);
  expect(await advance(db(), job.id, "QUEUED", { runnerJobId: `ppp-${job.id}` })).not.toBeNull();
  expect(await advance(db(), job.id, "RUNNING")).not.toBeNull();
  return { key, account_id, id: job.id as string };
}

const settlements = async (jobId: string) =>
  (
    await env.DB.prepare("select count(*) as n from ledger where id = ?")
      .bind(`led_rsv_rf_${jobId}`)
      .first<{ n: number }>()
  )?.n;

describe("terminal transitions race", () => {
  it.each<JobState[]>([
    ["SUCCEEDED", "FAILED"],
    ["SUCCEEDED", "CANCELLED"],
    ["FAILED", "CANCELLED", "TIMED_OUT", "LOST"],
  ])("%s vs %s…: exactly one wins, and its end is the job's", async (...ends) => {
    const { id } = await runningJob();
    const rows = await Promise.all(ends.map((to) => advance(db(), id, to, { error: `ended ${to}` })));
    const won = rows.filter((r) => r !== null);
    expect(won).toHaveLength(1);
    const winner = won[0]?.state;
    const job = await loadJob(db(), id);
    expect(job).toMatchObject({ state: winner, rank: 4, error: `ended ${winner}` });
    expect(job?.finishedAt).toBe(won[0]?.finishedAt);
    expect(await settlements(id)).toBe(1);
  });

  it("after a terminal state nothing moves the job: not another end, not an earlier state", async () => {
    const { id } = await runningJob();
    const done = await advance(db(), id, "SUCCEEDED", { result: { final: true } }, 1_000_000);
    expect(done).toMatchObject({ state: "SUCCEEDED", finishedAt: 1_000_000 });
    for (const to of ["FAILED", "CANCELLED", "TIMED_OUT", "LOST", "SUCCEEDED", "RUNNING", "QUEUED"] as const)
      expect(
        await advance(db(), id, to, { error: `late ${to}`, result: { late: to } }, 2_000_000),
      ).toBeNull();
    const job = await loadJob(db(), id);
    expect(job).toMatchObject({
      state: "SUCCEEDED",
      error: null,
      result: { final: true },
      finishedAt: 1_000_000,
      updatedAt: 1_000_000,
    });
  });
});

describe("late runner callbacks on a finished job", () => {
  const metrics = (total: number) => ({
    "reward/productivity": 0.5,
    "reward/proactivity": -0.1,
    "reward/personalization": 0.05,
    "reward/total": total,
  });

  it("a progress or terminal event after SUCCEEDED changes neither the state nor the metrics", async () => {
    const { key, id } = await runningJob();
    expect((await sendEvent(id, { type: "progress", step: 1, metrics: metrics(0.45) })).status).toBe(200);
    expect(await advance(db(), id, "SUCCEEDED", { result: { runner_status: "SUCCEEDED" } })).not.toBeNull();
    const before = await call("GET", `/v1/training/jobs/${id}`, { key });
    expect(before.json).toMatchObject({
      state: "SUCCEEDED",
      metrics: [{ step: 1, ...metrics(0.45) }],
      result: { runner_status: "SUCCEEDED" },
    });

    const q = recordingQueue();
    for (const event of [
      { type: "progress", step: 1, metrics: metrics(0.99) },
      { type: "progress", step: 2, metrics: metrics(0.7) },
      { type: "failed", message: "late failure", result: { runner_status: "FAILED" } },
      { type: "stopped" },
    ]) {
      const res = await sendEvent(id, event, { queue: q.queue });
      expect(res.status, res.text).toBe(200);
    }
    // The terminal events asked the dispatcher to poll; a poll of a finished job changes nothing either.
    expect(q.forJob(id).length).toBeGreaterThan(0);
    await deliver(dispatcherEnv(q.queue), q.forJob(id));

    const after = await call("GET", `/v1/training/jobs/${id}`, { key });
    expect(after.json).toEqual(before.json);
  });
});
