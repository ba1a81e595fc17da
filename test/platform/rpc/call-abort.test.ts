import { Code, ConnectError } from "@connectrpc/connect";
import { describe, expect, it } from "vitest";
import { CallAbort } from "../../../src/platform/rpc/call-context.js";

describe("CallAbort", () => {
  it("creates its signal only when read, already aborted if the call was", () => {
    const abort = new CallAbort();
    const reason = new ConnectError("deadline exceeded", Code.DeadlineExceeded);
    abort.abort(reason);
    expect(abort.signal.aborted).toBe(true);
    expect(abort.signal.reason).toBe(reason);
  });

  it("keeps the first reason and tells its listener once", () => {
    const abort = new CallAbort();
    const heard: ConnectError[] = [];
    abort.onAbort = (reason) => heard.push(reason);
    const first = new ConnectError("cancelled", Code.Canceled);
    abort.abort(first);
    abort.abort(new ConnectError("later", Code.Unavailable));
    expect(abort.abortReason).toBe(first);
    expect(heard).toEqual([first]);
    expect(abort.signal.reason).toBe(first);
  });

  it("follows a parent signal once its own signal has been read", () => {
    const parent = new AbortController();
    const abort = new CallAbort(parent.signal);
    const signal = abort.signal;
    parent.abort(new ConnectError("client went away", Code.Canceled));
    expect(signal.aborted).toBe(true);
    expect(abort.abortReason?.code).toBe(Code.Canceled);
  });

  it("turns a parent's non-ConnectError reason into CANCELLED", () => {
    const parent = new AbortController();
    parent.abort();
    const abort = new CallAbort(parent.signal);
    expect(abort.signal.aborted).toBe(true);
    expect(abort.abortReason?.code).toBe(Code.Canceled);
  });
});
