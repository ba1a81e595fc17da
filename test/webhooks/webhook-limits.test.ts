/**
 * WebhooksService with production-like address rules (private networks not
 * allowed) and a small quota: SSRF refusals at registration and the quota's
 * RESOURCE_EXHAUSTED, through a real client.
 */
import { Code, ConnectError, type Client } from "@connectrpc/connect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WebhooksService } from "../../gen/sum/v1/webhooks_pb.js";
import { productServices } from "../../src/main.js";
import { startTestServer, type TestServer } from "../support/test-server.js";

let sum: TestServer;
let client: Client<typeof WebhooksService>;

beforeAll(async () => {
  sum = await startTestServer({
    env: { LOG_LEVEL: "warn", SUMMARIZE_WORKERS: "0", WEBHOOKS_MAX_WEBHOOKS: "2", WEBHOOKS_ALLOW_PRIVATE_NETWORKS: "false" },
    services: productServices,
  });
  client = sum.client(WebhooksService, "grpc-h2c");
});

afterAll(async () => {
  await sum?.stop();
});

async function refusal(url: string): Promise<ConnectError> {
  const error = await client.createWebhook({ url, eventTypes: ["document.summarized"] }).then(
    () => undefined,
    (thrown: unknown) => ConnectError.from(thrown),
  );
  expect(error, `${url} should be refused`).toBeDefined();
  return error!;
}

describe("SSRF protection at registration", () => {
  const refused: [string, RegExp][] = [
    ["http://127.0.0.1:8080/hook", /^url: 127\.0\.0\.1 is a loopback/],
    ["http://localhost/hook", /^url: localhost resolves to/],
    ["http://169.254.169.254/latest/meta-data", /^url: 169\.254\.169\.254 is a loopback, private, link-local/],
    ["http://metadata.google.internal/computeMetadata/v1", /^url: metadata\.google\.internal is a cloud metadata host/],
    ["http://[::1]/hook", /^url: ::1 is a loopback/],
    ["http://10.0.0.8/hook", /^url: 10\.0\.0\.8 is/],
    ["http://192.168.1.20/hook", /^url: 192\.168\.1\.20 is/],
    ["http://[::ffff:127.0.0.1]/hook", /^url: 127\.0\.0\.1 is/],
    ["http://224.0.0.251/hook", /^url: 224\.0\.0\.251 is/],
    ["http://0x7f000001/hook", /^url: 127\.0\.0\.1 is/],
  ];
  it.each(refused)("refuses %s with INVALID_ARGUMENT naming url", async (url, message) => {
    const error = await refusal(url);
    expect(error.code).toBe(Code.InvalidArgument);
    expect(error.rawMessage).toMatch(message);
  });
});

describe("quota", () => {
  it("refuses more webhooks than WEBHOOKS_MAX_WEBHOOKS with RESOURCE_EXHAUSTED stating the limit", async () => {
    // Public addresses that are never contacted: nothing is published in this test.
    const ids: string[] = [];
    for (const url of ["http://93.184.216.34/a", "http://93.184.216.34/b"]) {
      ids.push((await client.createWebhook({ url, eventTypes: ["document.summarized"], enabled: false })).webhook!.id);
    }
    const error = await refusal("http://93.184.216.34/c");
    expect(error.code).toBe(Code.ResourceExhausted);
    expect(error.rawMessage).toBe("webhooks: at most 2 webhooks can be registered (WEBHOOKS_MAX_WEBHOOKS); delete one first");
    expect((await client.listWebhooks({})).webhooks).toHaveLength(2);
    await client.deleteWebhook({ id: ids[0]! });
    const again = await client.createWebhook({ url: "http://93.184.216.34/c", eventTypes: ["document.summarized"], enabled: false });
    for (const id of [ids[1]!, again.webhook!.id]) await client.deleteWebhook({ id });
  });
});
