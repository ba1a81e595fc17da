/**
 * The `webhook_notifications` flag through real clients: UpdateFlag turns it
 * off and events published by SummarizeService are not delivered (they still
 * reach the event log); turned on again, later events are delivered, signed,
 * and the ones published while it was off were skipped, not queued.
 */
import { create } from "@bufbuild/protobuf";
import { FieldMaskSchema } from "@bufbuild/protobuf/wkt";
import { type Client } from "@connectrpc/connect";
import { Webhook as StandardWebhook } from "standardwebhooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FlagsService } from "../../gen/sum/v1/flags_pb.js";
import { SummarizeService } from "../../gen/sum/v1/summarize_pb.js";
import { WebhooksService } from "../../gen/sum/v1/webhooks_pb.js";
import { WEBHOOK_NOTIFICATIONS_FLAG } from "../../src/flags/builtin-flags.js";
import { productServices } from "../../src/main.js";
import { startTestServer, type TestServer } from "../support/test-server.js";
import { waitFor } from "../support/wait-for.js";
import { startReceiver, type Receiver } from "./receiver.js";

const TEXT =
  "The river rose overnight after the storm. Crews closed two bridges before dawn. Schools opened late across the valley. " +
  "Officials expect the water to fall by the weekend. Residents were asked to avoid the flooded roads near the old mill.";

let sum: TestServer;
let webhooks: Client<typeof WebhooksService>;
let flags: Client<typeof FlagsService>;
let summarize: Client<typeof SummarizeService>;
let target: Receiver;

beforeAll(async () => {
  sum = await startTestServer({
    env: { LOG_LEVEL: "warn", SUMMARIZE_WORKERS: "0", WEBHOOKS_ALLOW_PRIVATE_NETWORKS: "true", WEBHOOKS_POLL_INTERVAL_MS: "50" },
    services: productServices,
  });
  webhooks = sum.client(WebhooksService, "connect-json-http1");
  flags = sum.client(FlagsService, "grpc-h2c");
  summarize = sum.client(SummarizeService, "connect-binary-h2c");
  target = await startReceiver();
});

afterAll(async () => {
  await sum?.stop();
  await target?.close();
});

/** Documents the receiver got, by the documentId in the signed body. */
function receivedDocuments(secret: string): string[] {
  return target.requests.map((request) => {
    const headers = Object.fromEntries(Object.entries(request.headers).map(([name, value]) => [name, String(value)]));
    const payload = new StandardWebhook(secret).verify(request.body, headers) as { data: { documentId: string } };
    return payload.data.documentId;
  });
}

async function setNotifications(enabled: boolean): Promise<void> {
  const { flag } = await flags.getFlag({ key: WEBHOOK_NOTIFICATIONS_FLAG });
  await flags.updateFlag({ flag: { key: WEBHOOK_NOTIFICATIONS_FLAG, version: flag!.version, enabled }, updateMask: create(FieldMaskSchema, { paths: ["enabled"] }) });
}

describe("webhook_notifications flag", () => {
  it("off: events are logged but not delivered (skipped, not queued); on again: later events are delivered", async () => {
    const { webhook, secret } = await webhooks.createWebhook({ url: target.url, eventTypes: ["document.summarized"] });
    const webhookId = webhook!.id;

    // On (the built-in default): delivered.
    await summarize.summarize({ text: TEXT, documentId: "before-off" });
    await waitFor(() => receivedDocuments(secret).includes("before-off"), 5000, "delivery while the flag is on");

    await setNotifications(false);
    const logCursor = await sum.server.events.latestSequence();
    await summarize.summarize({ text: TEXT, documentId: "while-off-1" });
    await summarize.summarize({ text: TEXT, documentId: "while-off-2" });
    // The events are in the log all the same.
    const logged = await sum.server.events.readAfter(logCursor, 100, ["document.summarized"]);
    expect(logged.map((event) => event.data["documentId"])).toEqual(["while-off-1", "while-off-2"]);

    await setNotifications(true);
    await summarize.summarize({ text: TEXT, documentId: "after-on" });
    await waitFor(() => receivedDocuments(secret).includes("after-on"), 5000, "delivery after the flag is back on");

    // Fan-out follows the log in commit order, so once "after-on" arrived the events before it were decided:
    // those published while the flag was off have no message at all and never arrived.
    const documents = receivedDocuments(secret);
    expect(documents).not.toContain("while-off-1");
    expect(documents).not.toContain("while-off-2");
    const { deliveries } = await webhooks.listDeliveries({ webhookId });
    const offIds = new Set(logged.map((event) => event.id));
    expect(deliveries.filter((delivery) => offIds.has(delivery.messageId))).toEqual([]);
    expect(deliveries).toHaveLength(2);

    await webhooks.deleteWebhook({ id: webhookId });
  });
});
