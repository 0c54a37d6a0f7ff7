import { createRoute, z } from "@hono/zod-openapi";
import { newApp } from "../../app";
import { PREFERENCES } from "../../userville/preferences";
import { PREFERENCE_IDS, type Preference } from "../../userville/types";
import { bearerSecurity, errorResponses, jsonResponse } from "../openapi";

const PreferenceSchema = z
  .object({
    id: z.enum(PREFERENCE_IDS),
    description: z.string(),
    check: z.enum(["rule", "judge", "none"]).openapi({
      description:
        "How this service decides compliance: a deterministic rule, the judge, or nothing to check.",
    }),
    split: z
      .enum(["seen", "unseen"])
      .openapi({ description: "Used in PPP training (seen) or held out (unseen)." }),
    penalty: z.string().openapi({ example: "-0.5 per violating question" }),
  })
  .openapi("Preference");

const listPreferences = createRoute({
  method: "get",
  path: "/",
  tags: ["Preferences"],
  summary: "The 20 user interaction preferences",
  security: bearerSecurity,
  responses: {
    200: jsonResponse(
      z.object({ data: z.array(PreferenceSchema) }).openapi("PreferenceList"),
      "All 20, in spec order.",
    ),
    ...errorResponses(401),
  },
});

const body = {
  data: PREFERENCES.map((p: Preference) => ({
    id: p.id,
    description: p.description,
    check: p.check,
    split: p.split,
    penalty: p.penaltyText,
  })),
};

export const preferences = newApp().openapi(listPreferences, (c) => c.json(body, 200));
