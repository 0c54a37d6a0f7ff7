import { ApiError } from "../errors";

/** Opaque keyset cursor over (created_at, id), newest first. */
export function encodeCursor(createdAt: number, id: string): string {
  return btoa(JSON.stringify([createdAt, id])).replaceAll("=", "");
}

export function decodeCursor(cursor: string): { createdAt: number; id: string } {
  try {
    const [createdAt, id] = JSON.parse(atob(cursor));
    if (typeof createdAt === "number" && typeof id === "string") return { createdAt, id };
  } catch {
    // fall through to the 400
  }
  throw new ApiError("invalid_request", "The cursor is not one this API returned.");
}
