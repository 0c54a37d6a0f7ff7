import { z } from "@hono/zod-openapi";

export const ErrorSchema = z
  .object({
    error: z.object({
      code: z.string().openapi({ example: "invalid_request" }),
      message: z.string().openapi({ example: "The request is invalid; see details." }),
      request_id: z.string().openapi({ example: "6f1c0a0e-6a4e-4f0e-9a57-1b1c2d3e4f50" }),
      details: z.unknown().optional(),
    }),
  })
  .openapi("Error");

const DESCRIPTIONS: Record<number, string> = {
  400: "Invalid input: malformed JSON, wrong types, unknown ids or values out of range.",
  401: "Missing, malformed or revoked API key.",
  403: "The key lacks the scope this route needs.",
  404: "No such object in your account.",
  409: "Conflicts with the object's state.",
  413: "The body is larger than this route accepts.",
  415: "The body is not sent as application/json.",
};

/** OpenAPI responses for the error statuses a route can answer. */
export function errorResponses(...statuses: number[]) {
  return Object.fromEntries(
    statuses.map((status) => [
      status,
      {
        description: DESCRIPTIONS[status] ?? "Error",
        content: { "application/json": { schema: ErrorSchema } },
      },
    ]),
  );
}

export function jsonBody<T extends z.ZodType>(schema: T, description?: string) {
  return { required: true, description, content: { "application/json": { schema } } };
}

export function jsonResponse<T extends z.ZodType>(schema: T, description: string) {
  return { description, content: { "application/json": { schema } } };
}

export const bearerSecurity = [{ bearerAuth: [] }];
