/**
 * SUM's real entry point, full middleware stack and default policies, with
 * the testing service's Echo added so it answers the same RPC as the peers.
 */
import { main } from "../../../src/main.js";
import { testingService } from "../../../test/support/testing-service.js";

const server = await main(process.env, { extraServices: () => [testingService()] });
process.stderr.write(`${JSON.stringify({ msg: "ready", httpPort: server.httpPort, grpcPort: server.grpcPort })}\n`);
