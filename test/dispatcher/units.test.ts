import { describe, expect, it } from "vitest";
import { signWebhook, verifyWebhook } from "../../src/lib/standard-webhooks";
import { TrainingMessage } from "../../src/queue/contract";
import { expandTrainingRows, SEEN_PREFERENCES } from "../../src/userville/training-rows";
import { parseRetryAfter, pollDelaySeconds, retryDelaySeconds } from "../../workers/dispatcher/src/backoff";
import { parseTarget } from "../../workers/dispatcher/src/runners/ray";
import { errorLine, RunnerError } from "../../workers/dispatcher/src/runners/types";

describe("Standard Webhooks", () => {
  // The specification's own example (standard-webhooks/standard-webhooks, spec/standard-webhooks.md).
  const vector = {
    secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
    id: "msg_p5jXN8AQM9LWM0D4loKWxJek",
    timestamp: 1614265330,
    body: '{"test": 2432232314}',
    signature: "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
  };
  const headers = (signature: string, timestamp = String(vector.timestamp)) => ({
    id: vector.id,
    timestamp,
    signature,
  });

  it("signs and verifies the specification's example", async () => {
    const signed = await signWebhook(vector.id, vector.body, [vector.secret], vector.timestamp);
    expect(signed["webhook-signature"]).toBe(vector.signature);
    expect(
      await verifyWebhook(headers(vector.signature), vector.body, [vector.secret], vector.timestamp),
    ).toEqual({
      ok: true,
    });
  });

  it("accepts any of several signatures and secrets; rejects the rest", async () => {
    const other = "whsec_b3RoZXItc2VjcmV0LW90aGVyLXNlY3JldA==";
    const both = `v1,bm90LWl0 ${vector.signature}`;
    const at = vector.timestamp;
    expect((await verifyWebhook(headers(both), vector.body, [other, vector.secret], at)).ok).toBe(true);
    expect((await verifyWebhook(headers(vector.signature), vector.body, [other], at)).ok).toBe(false);
    expect((await verifyWebhook(headers(vector.signature), `${vector.body} `, [vector.secret], at)).ok).toBe(
      false,
    );
    expect((await verifyWebhook(headers(vector.signature), vector.body, [vector.secret], at + 301)).ok).toBe(
      false,
    );
    expect((await verifyWebhook(headers(vector.signature), vector.body, [vector.secret], at - 301)).ok).toBe(
      false,
    );
    expect(
      (await verifyWebhook(headers(vector.signature, "12ab"), vector.body, [vector.secret], at)).ok,
    ).toBe(false);
    expect((await verifyWebhook(headers("v2,abc"), vector.body, [vector.secret], at)).ok).toBe(false);
    expect((await verifyWebhook(headers(vector.signature), vector.body, ["whsec_%%%"], at)).ok).toBe(false);
  });
});

describe("backoff", () => {
  it("retries grow exponentially with jitter, capped, and honour Retry-After", () => {
    expect(retryDelaySeconds(1, undefined, () => 0)).toBe(3);
    expect(retryDelaySeconds(1, undefined, () => 1)).toBe(5);
    expect(retryDelaySeconds(3, undefined, () => 1)).toBe(20);
    expect(retryDelaySeconds(30, undefined, () => 1)).toBe(600);
    expect(retryDelaySeconds(1, 120, () => 1)).toBe(120);
    expect(retryDelaySeconds(1, 10 ** 9, () => 1)).toBe(43_200);
  });

  it("polls wait 15 s, 30 s, 60 s, … up to 5 minutes", () => {
    expect([0, 1, 2, 3, 4, 5, 50].map(pollDelaySeconds)).toEqual([15, 30, 60, 120, 240, 300, 300]);
  });

  it("reads Retry-After as seconds or an HTTP date", () => {
    const now = Date.parse("2026-01-01T00:00:00Z");
    expect(parseRetryAfter("7", now)).toBe(7);
    expect(parseRetryAfter("Thu, 01 Jan 2026 00:01:00 GMT", now)).toBe(60);
    expect(parseRetryAfter("soon", now)).toBeUndefined();
    expect(parseRetryAfter(null, now)).toBeUndefined();
  });
});

describe("training rows and the queue contract", () => {
  it("expands each task to 12 vague rows + 1 precise (the paper's 13)", () => {
    expect(SEEN_PREFERENCES).toHaveLength(12);
    const rows = expandTrainingRows(["t1", "t2"]);
    expect(rows).toHaveLength(26);
    expect(rows.filter((r) => r.task_id === "t1" && r.vague).map((r) => r.preference)).toEqual([
      ...SEEN_PREFERENCES,
    ]);
    expect(rows.filter((r) => !r.vague).map((r) => r.preference)).toEqual([
      SEEN_PREFERENCES[0],
      SEEN_PREFERENCES[1],
    ]);
  });

  it("messages carry ids only", () => {
    expect(TrainingMessage.safeParse({ kind: "dispatch", job_id: "job_1" }).success).toBe(true);
    expect(TrainingMessage.safeParse({ kind: "poll", job_id: "job_1", attempt: 2 }).success).toBe(true);
    expect(TrainingMessage.safeParse({ kind: "dispatch", job_id: "job_1", payload: {} }).success).toBe(false);
  });
});

describe("runner adapters", () => {
  it("errorLine keeps the last exception of a (wrapped) traceback, else the last line with words", () => {
    const wrapped = [
      "Traceback (most recent call last):",
      '  File "job_head.py", line 62, in _raise_error',
      "RuntimeError: Request failed with status code 400: Traceback (most recent call last):",
      '  File "job_manager.py", line 586, in submit_job',
      "ValueError: Job with submission_id ppp-1 already exists. Please use a different submission_id.",
      ".",
      "",
    ].join("\n");
    expect(errorLine(wrapped)).toBe(
      "ValueError: Job with submission_id ppp-1 already exists. Please use a different submission_id.",
    );
    expect(errorLine("No available agent to submit job, please try again later.")).toBe(
      "No available agent to submit job, please try again later.",
    );
    expect(errorLine("denied\n\n.\n")).toBe("denied");
    expect(errorLine("")).toBe("");
  });

  it("parseTarget: gpus / cpus / memory / custom resources; anything else is a fatal error", () => {
    expect(parseTarget(null)).toEqual({});
    expect(parseTarget("gpus=0.5")).toEqual({ entrypoint_num_gpus: 0.5 });
    expect(parseTarget("gpus=2,A100=1,spot")).toEqual({
      entrypoint_num_gpus: 2,
      entrypoint_resources: { A100: 1, spot: 1 },
    });
    for (const bad of ["gpus=", "gpus=-1", "=3", "a=b=c", "memory=1.5", "gpus=2,,", "two words"]) {
      let error: unknown;
      try {
        parseTarget(bad);
      } catch (err) {
        error = err;
      }
      expect(error, bad).toBeInstanceOf(RunnerError);
      expect((error as RunnerError).kind, bad).toBe("fatal");
    }
  });
});
