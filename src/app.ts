import { OpenAPIHono } from "@hono/zod-openapi";
import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import { requestId } from "hono/request-id";
import type { ZodError } from "zod";
import { LIMITS } from "./config";
import { createDb } from "./db/client";
import type { AppEnv } from "./env";
import { ApiError, type ErrorCode, envelope } from "./errors";

/** Zod issues in a stable, client-friendly shape: where, and what is wrong there (the first few only). */
export function zodDetails(error: ZodError) {
  return error.issues.slice(0, LIMITS.errorDetails).map((issue) => ({
    path: issue.path.map(String).join("."),
    message: issue.message,
    code: issue.code,
  }));
}

export function errorResponse(c: Context<AppEnv>, err: ApiError) {
  const res = c.json(envelope(err, c.get("requestId") ?? "unknown"), err.status);
  for (const [name, value] of Object.entries(err.headers ?? {})) res.headers.set(name, value);
  return res;
}

const HTTP_CODES: Record<number, ErrorCode> = {
  400: "invalid_request",
  401: "unauthorized",
  403: "forbidden",
  404: "not_found",
  409: "conflict",
  413: "payload_too_large",
  415: "unsupported_media_type",
  429: "rate_limited",
};

function toApiError(err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  if (err instanceof HTTPException && HTTP_CODES[err.status]) {
    // Hono's validator throws this for a body that is not JSON.
    const message = err.message.includes("Malformed JSON")
      ? "The request body is not valid JSON."
      : err.status === 415
        ? "Send the body as JSON with `Content-Type: application/json`."
        : err.message || "The request could not be processed.";
    return new ApiError(HTTP_CODES[err.status], message);
  }
  return new ApiError("internal_error", "Something went wrong on our side; the request id helps us find it.");
}

/** The one app factory: every sub-app shares the validation hook, so every error uses the envelope. */
export function newApp() {
  return new OpenAPIHono<AppEnv>({
    strict: true,
    defaultHook: (result) => {
      if (!result.success) {
        const { issues } = result.error as ZodError;
        const shown =
          issues.length > LIMITS.errorDetails
            ? ` (the first ${LIMITS.errorDetails} of ${issues.length})`
            : "";
        throw new ApiError("invalid_request", `The request is invalid; see details${shown}.`, {
          details: zodDetails(result.error as ZodError),
        });
      }
    },
  });
}

export type App = ReturnType<typeof newApp>;

/** The root app: request ids, per-request dependencies, error and not-found handling. */
export function newRootApp() {
  const app = newApp();
  app.use("*", requestId({ headerName: "X-Request-Id" }));
  app.use("*", async (c, next) => {
    c.set("db", createDb(c.env.DB));
    c.set("attemptId", `req_${crypto.randomUUID().replaceAll("-", "")}`);
    await next();
  });
  app.onError((err, c) => {
    const apiError = toApiError(err);
    if (apiError.status >= 500)
      console.error(
        JSON.stringify({ requestId: c.get("requestId"), error: String(err), stack: (err as Error).stack }),
      );
    return errorResponse(c, apiError);
  });
  app.notFound((c) =>
    errorResponse(c, new ApiError("not_found", `No route for ${c.req.method} ${c.req.path}.`)),
  );
  return app;
}
