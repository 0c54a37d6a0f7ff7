import { createRoute, z } from "@hono/zod-openapi";
import { newApp } from "../../app";
import { engineOf } from "../../config";
import { jsonResponse } from "../openapi";

const getHealth = createRoute({
  method: "get",
  path: "/healthz",
  tags: ["Service"],
  summary: "Liveness and the engine in use",
  responses: {
    200: jsonResponse(
      z.object({ status: z.literal("ok"), engine: z.enum(["rules", "llm"]) }).openapi("Health"),
      "The service is up.",
    ),
  },
});

export const health = newApp().openapi(getHealth, (c) =>
  c.json({ status: "ok" as const, engine: engineOf(c.env) }, 200),
);
