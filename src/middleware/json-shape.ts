import { createMiddleware } from "hono/factory";
import { LIMITS } from "../config";
import type { AppEnv } from "../env";
import { ApiError } from "../errors";
import { jsonShapeViolation } from "../lib/json-shape";

const SHAPE = { depth: LIMITS.jsonDepth, arrayItems: LIMITS.jsonArrayItems, values: LIMITS.jsonValues };

/**
 * Rejects a JSON body that nests too deep, has an array longer than any schema allows, or too many values,
 * before anything parses it (the body text is cached, so the validator reads it once).
 */
export const jsonShape = createMiddleware<AppEnv>(async (c, next) => {
  if (c.req.method === "GET" || c.req.method === "HEAD" || !c.req.header("Content-Type")?.includes("json"))
    return next();
  const broken = jsonShapeViolation(await c.req.text(), SHAPE);
  if (broken) throw new ApiError("invalid_request", `${broken} See the README's Limits.`);
  return next();
});
