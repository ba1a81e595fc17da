/**
 * Runs SUM's real entry point with the testing service added, as a child
 * process for tests of signals and graceful shutdown.
 */
import { main } from "../../src/main.js";
import { testingService } from "./testing-service.js";

await main(process.env, { extraServices: () => [testingService()] });
