/**
 * Implementation of sum.testing.v1.TestingService: handlers whose behaviour a
 * test controls, so the server machinery can be exercised end to end.
 */
import { create } from "@bufbuild/protobuf";
import { setTimeout as sleep } from "node:timers/promises";
import { DatabaseUnavailableError } from "../../src/platform/database/database-errors.js";
import { bindService, type ServiceBinding } from "../../src/platform/rpc/service-binding.js";
import {
  CountResponseSchema,
  EchoResponseSchema,
  Failure,
  SleepResponseSchema,
  TestingService,
} from "../gen/sum/testing/v1/testing_service_pb.js";

export interface TestingProbe {
  /** Sleep calls that started. */
  sleepsStarted: number;
  /** Sleep calls that ran to the end. */
  sleepsCompleted: number;
  /** Sleep calls whose signal was aborted before they finished. */
  sleepsCancelled: number;
}

export function testingService(probe: TestingProbe = { sleepsStarted: 0, sleepsCompleted: 0, sleepsCancelled: 0 }): ServiceBinding {
  return bindService(
    TestingService,
    {
      async echo(request, context) {
        const tag = context.requestHeader.get("x-echo-tag");
        if (tag !== null) context.responseHeader.set("x-echo-tag", tag);
        return create(EchoResponseSchema, { message: request.message, payload: request.payload });
      },
      async sleep(request, context) {
        probe.sleepsStarted++;
        try {
          await sleep(request.durationMs, undefined, { signal: context.signal });
        } catch (error) {
          probe.sleepsCancelled++;
          throw error;
        }
        probe.sleepsCompleted++;
        return create(SleepResponseSchema, { completed: true });
      },
      async *count(request, context) {
        for (let number = 1; number <= request.count; number++) {
          if (number > 1 && request.intervalMs > 0) {
            await sleep(request.intervalMs, undefined, { signal: context.signal });
          }
          yield create(CountResponseSchema, { number });
        }
      },
      async fail(request) {
        if (request.failure === Failure.DATABASE) {
          throw new DatabaseUnavailableError("database unavailable (SQLITE_BUSY)", "SQLITE_BUSY");
        }
        throw new Error("SELECT secret FROM vault -- boom");
      },
    },
    { dependsOn: ["database"] },
  );
}
