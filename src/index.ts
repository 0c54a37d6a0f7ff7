import { buildApp } from "./routes";

const app = buildApp();

export default {
  fetch: app.fetch,
} satisfies ExportedHandler<import("./env").Bindings>;
