/**
 * A real OpenAI-compatible chat-completions server for tests (node:http on 127.0.0.1, a free port).
 * Tests inside workerd reach it over loopback, so the whole client path (openai SDK, retries, timeouts,
 * status codes) runs for real.
 *
 * Replies are scripted per request `model`, so test files running in parallel never share a queue:
 *   POST /__script {"model": "m-xyz", "replies": [reply, ...]}   appends to that model's queue
 *   GET  /__calls?model=m-xyz                                     the chat requests received, in order
 * A reply is any mix of:
 *   {"content": "text"}                         200 with that message content ("" = an empty completion)
 *   {"status": 429, "headers": {...}, "body"?}  an error status (body defaults to an OpenAI error object)
 *   {"delay_ms": 20000, ...}                    wait first (a client timeout when long enough)
 *   {"drop": true}                              destroy the socket without answering (network failure)
 *   {"usage": {"prompt_tokens", "completion_tokens"}, "finish_reason"}   optional overrides
 * A model with nothing queued gets a deterministic default, shaped by the system prompt: a well-formed
 * simulator reply, a judge verdict, or an echo of the first words of the last message.
 */
import http from "node:http";

const MAX_BODY_BYTES = 10 * 1024 * 1024;

function defaultContent(messages) {
  const system = messages.find((m) => m.role === "system")?.content ?? "";
  const last = messages.at(-1)?.content ?? "";
  if (system.includes("[Cost ")) {
    return `Sure, it's in the description.\n[Cost 1]${system.includes("[Reward 0]") ? "\n[Reward 1]" : ""}`;
  }
  if (system.includes('"compliant"')) return '{"compliant": true, "reason": "mock judge"}';
  if (system.includes('"correct"')) return '{"correct": true}';
  return `echo: ${String(last).split(/\s+/).filter(Boolean).slice(0, 6).join(" ")}`;
}

function completion(model, content, reply) {
  const promptTokens = reply.usage?.prompt_tokens ?? 11;
  const completionTokens = reply.usage?.completion_tokens ?? 7;
  return {
    id: `chatcmpl-mock-${Math.random().toString(36).slice(2, 10)}`,
    object: "chat.completion",
    created: Math.floor(Date.now() / 1000),
    model,
    choices: [
      {
        index: 0,
        message: { role: "assistant", content },
        finish_reason: reply.finish_reason ?? "stop",
      },
    ],
    usage: {
      prompt_tokens: promptTokens,
      completion_tokens: completionTokens,
      total_tokens: promptTokens + completionTokens,
    },
  };
}

function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    let size = 0;
    req.on("data", (chunk) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) reject(new Error("body too large"));
      else chunks.push(chunk);
    });
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

function send(res, status, body, headers = {}) {
  if (res.destroyed || res.headersSent) return;
  res.writeHead(status, { "content-type": "application/json", ...headers });
  res.end(JSON.stringify(body));
}

export async function startLlmServer() {
  /** @type {Map<string, object[]>} */
  const scripts = new Map();
  /** @type {Map<string, object[]>} */
  const calls = new Map();
  const timers = new Set();

  const server = http.createServer(async (req, res) => {
    try {
      const url = new URL(req.url ?? "/", "http://127.0.0.1");
      if (req.method === "POST" && url.pathname === "/__script") {
        const { model, replies } = JSON.parse(await readBody(req));
        if (typeof model !== "string" || !Array.isArray(replies)) {
          return send(res, 400, { error: "expected {model: string, replies: array}" });
        }
        scripts.set(model, [...(scripts.get(model) ?? []), ...replies]);
        return send(res, 200, { queued: scripts.get(model).length });
      }
      if (req.method === "GET" && url.pathname === "/__calls") {
        return send(res, 200, { calls: calls.get(url.searchParams.get("model") ?? "") ?? [] });
      }
      if (req.method !== "POST" || !url.pathname.endsWith("/chat/completions")) {
        return send(res, 404, { error: { message: "not found", type: "invalid_request_error" } });
      }

      const body = JSON.parse(await readBody(req));
      const model = String(body.model ?? "");
      const received = calls.get(model) ?? [];
      received.push({ body, authorization: req.headers.authorization ?? null, at: Date.now() });
      calls.set(model, received);

      const reply = scripts.get(model)?.shift() ?? {};
      if (reply.delay_ms) {
        await new Promise((resolve) => {
          const timer = setTimeout(resolve, reply.delay_ms);
          // A client that gave up must not keep the timer (or the test process) alive.
          timer.unref();
          timers.add(timer);
          res.on("close", () => {
            clearTimeout(timer);
            resolve();
          });
        });
      }
      if (reply.drop) return req.socket.destroy();
      if (reply.status && reply.status !== 200) {
        return send(
          res,
          reply.status,
          reply.body ?? { error: { message: `mock status ${reply.status}`, type: "mock_error" } },
          reply.headers,
        );
      }
      const content = reply.content ?? defaultContent(body.messages ?? []);
      return send(res, 200, completion(model, content, reply), reply.headers);
    } catch (err) {
      return send(res, 400, { error: { message: String(err), type: "invalid_request_error" } });
    }
  });
  // Never keep vitest from exiting: neither the listener nor any connection holds the event loop.
  server.on("connection", (socket) => socket.unref());
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  server.unref();
  const { port } = server.address();

  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise((resolve) => {
        for (const timer of timers) clearTimeout(timer);
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
