import { describe, expect, it } from "vitest";
import { call, expectError } from "../helpers";

describe("service routes", () => {
  it("GET /healthz answers ok with the engine, without a key", async () => {
    const res = await call("GET", "/healthz", { key: null });
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ status: "ok", engine: "rules" });
    expect(res.headers.get("X-Request-Id")).toBeTruthy();
  });

  it("GET /openapi.json documents every route", async () => {
    const res = await call("GET", "/openapi.json", { key: null });
    expect(res.status).toBe(200);
    expect(res.json.openapi).toBe("3.1.0");
    for (const path of ["/healthz", "/v1/preferences", "/v1/keys", "/v1/score", "/v1/score/batch"]) {
      expect(Object.keys(res.json.paths)).toContain(path);
    }
    expect(res.json.components.schemas.Score).toBeDefined();
    expect(res.json.components.securitySchemes.bearerAuth.scheme).toBe("bearer");
  });

  it("GET /docs serves the interactive reference", async () => {
    const res = await call("GET", "/docs", { key: null });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/html");
    expect(res.text).toContain("/openapi.json");
  });

  it("an unknown route is a 404 envelope", async () => {
    expectError(await call("GET", "/v1/nope"), 404, "not_found");
    expectError(await call("GET", "/nope", { key: null }), 404, "not_found");
  });

  it("echoes a client's request id in the envelope", async () => {
    const res = await call("GET", "/v1/preferences", {
      key: null,
      headers: { "X-Request-Id": "req-abc-123" },
    });
    expectError(res, 401, "unauthorized");
    expect(res.json.error.request_id).toBe("req-abc-123");
    expect(res.headers.get("X-Request-Id")).toBe("req-abc-123");
  });
});
