/**
 * The development secrets that .dev.vars.example publishes. Anyone can read them, so outside development a
 * worker that still holds one refuses to serve (the API) or to submit jobs (the dispatcher): with the published
 * admin key anyone is an operator, and with the published signing secrets anyone forges leaderboard entries,
 * Stripe top-ups or runner callbacks. Shared by the API worker and the dispatcher.
 */
export const PUBLISHED_SECRETS = {
  BOOTSTRAP_ADMIN_KEY: "uv_dev_admin_change_me",
  LEADERBOARD_SIGNING_KEY: "uv_dev_leaderboard_signing_key_change_me",
  STRIPE_WEBHOOK_SECRET: "whsec_dev_change_me",
  RUNNER_WEBHOOK_SECRET: "whsec_dXNlcnZpbGxlLWRldi1ydW5uZXItc2VjcmV0LWNoYW5nZS1tZSEh",
} as const;

export type PublishedSecretName = keyof typeof PUBLISHED_SECRETS;

export type SecretsEnv = { ENVIRONMENT?: string } & { [name in PublishedSecretName]?: string };

/** Unset or empty counts as development, so configurations that predate ENVIRONMENT keep working. */
export const isDevelopment = (env: { ENVIRONMENT?: string }) =>
  !env.ENVIRONMENT || env.ENVIRONMENT === "development";

/**
 * The secrets that hold their published value (any one of a space-separated list, for rotation), outside
 * development; none in development.
 */
export function publishedSecretsInUse(env: SecretsEnv): PublishedSecretName[] {
  if (isDevelopment(env)) return [];
  return (Object.keys(PUBLISHED_SECRETS) as PublishedSecretName[]).filter((name) =>
    (env[name] ?? "").split(/\s+/).includes(PUBLISHED_SECRETS[name]),
  );
}

/** The one log line of a refusal: names, never values. */
export function refusalLine(worker: string, env: { ENVIRONMENT?: string }, names: PublishedSecretName[]) {
  return (
    `[${worker}] refusing to run: ENVIRONMENT is ${JSON.stringify(env.ENVIRONMENT)} but ${names.join(", ")} ` +
    `still ${names.length === 1 ? "has its" : "have their"} published development value (.dev.vars.example); ` +
    'set fresh secrets with `wrangler secret put <NAME>`, or ENVIRONMENT = "development" for local use'
  );
}
