/**
 * The crash drill's SUM server, as a child process: serves SUM with its
 * product services on the database file it is given and, when told to,
 * publishes a burst of events straight into the event log (as services
 * publish them), printing each committed batch. The parent kills it with
 * SIGKILL mid-burst, then starts it again without a burst.
 */
import { productServices } from "../../src/main.js";
import { parseConfig } from "../../src/platform/config/config.js";
import { createLogger } from "../../src/platform/logging/logger.js";
import { startSumServer } from "../../src/platform/server/sum-server.js";
import { eventData } from "./event-data.js";

const parsed = parseConfig(process.env);
if (parsed.errors) throw new Error(parsed.errors.join("; "));
const server = await startSumServer({
  config: parsed.config,
  logger: createLogger({ level: "warn" }),
  services: productServices,
});
process.send!({ kind: "serving", httpPort: server.httpPort });

process.on("message", async (message: { kind: string; events?: number; batch?: number }) => {
  if (message.kind !== "burst") return;
  const events = message.events!;
  const batch = message.batch!;
  for (let published = 0; published < events; published += batch) {
    await server.events.transaction(async (trx) => {
      for (let index = published; index < Math.min(events, published + batch); index++) {
        await server.events.publish(trx, { type: "document.summarized", data: eventData(index) });
      }
    });
    process.send!({ kind: "committed", count: Math.min(events, published + batch) });
    await new Promise((resolve) => setImmediate(resolve));
  }
  process.send!({ kind: "burst-done" });
});
