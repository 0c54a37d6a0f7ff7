import { createRoute, z } from "@hono/zod-openapi";
import { newApp } from "../../app";
import { LIMITS } from "../../config";
import { chargeTokens, metered } from "../../services/billing";
import { vaguenizePrompt } from "../../services/vaguenize";
import { meterOf } from "../metering";
import { bearerSecurity, errorResponses, jsonBody, jsonResponse } from "../openapi";

const VaguenizeRequest = z
  .strictObject({
    prompt: z.string().trim().min(1).max(LIMITS.promptChars).openapi({
      example:
        "TimeSeries: misleading exception when required column check fails. For a TimeSeries object that has additional required columns …",
    }),
    family: z.enum(["swe", "research", "general"]).default("general"),
    title: z
      .string()
      .max(300)
      .optional()
      .openapi({ description: "SWE: the issue title, kept as the intent." }),
    hidden: z.array(z.string().trim().min(1).max(1000)).max(LIMITS.listItems).optional().openapi({
      description: "Values that must not appear in the result (gold files, functions, the answer).",
    }),
  })
  .openapi("VaguenizeRequest");

const VaguenizeResponse = z
  .object({
    vague_prompt: z
      .string()
      .openapi({ example: "TimeSeries: misleading exception when required column check fails ..." }),
    engine: z.enum(["rules", "llm"]),
    fallback_reason: z.string().optional().openapi({
      description:
        "Set when the llm engine's output failed its checks (or the provider failed) and the rules engine answered.",
    }),
  })
  .openapi("VaguenizeResponse");

const route = createRoute({
  method: "post",
  path: "/",
  tags: ["Vaguenization"],
  summary: "Rewrite a precise prompt into a vague one",
  description:
    "Keeps the intent and part of the information, generalising specifics (the paper's §4.1): reproduction " +
    "code, traces, paths, identifiers, versions and numbers go. The result never contains a `hidden` value.",
  security: bearerSecurity,
  request: { body: jsonBody(VaguenizeRequest) },
  responses: {
    200: jsonResponse(VaguenizeResponse, "The vague prompt and the engine that wrote it."),
    ...errorResponses(400, 401, 413, 415),
  },
});

export const vaguenizeApp = newApp().openapi(route, async (c) => {
  const { prompt, family, title, hidden } = c.req.valid("json");
  const meter = meterOf(c);
  const result = await metered(meter, "vaguenize", 1, () =>
    vaguenizePrompt({ env: c.env, db: c.get("db"), prompt, family, title, hidden: hidden ?? [] }),
  );
  await chargeTokens(meter, "vaguenize", result.usage.promptTokens + result.usage.completionTokens);
  return c.json(
    {
      vague_prompt: result.vague_prompt,
      engine: result.engine,
      ...(result.fallback_reason ? { fallback_reason: result.fallback_reason } : {}),
    },
    200,
  );
});
