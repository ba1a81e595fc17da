import { describe, expect, it } from "vitest";
import { BareHttpRequests } from "../../../bench/webhooks/bare-http-requests.js";

const request = (id: string, body: string) =>
  Buffer.from(`POST /hooks HTTP/1.1\r\nHost: 127.0.0.1\r\nWebhook-Id: ${id}\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);

describe("BareHttpRequests", () => {
  it("yields each request's webhook-id once its whole body has arrived", () => {
    const requests = new BareHttpRequests();
    const bytes = request("msg_1", '{"type":"document.summarized"}');
    expect(requests.feed(bytes.subarray(0, 20))).toEqual([]);
    expect(requests.feed(bytes.subarray(20, bytes.length - 1))).toEqual([]);
    expect(requests.feed(bytes.subarray(bytes.length - 1))).toEqual(["msg_1"]);
  });

  it("reads several requests from one chunk and keeps a partial one for the next", () => {
    const requests = new BareHttpRequests();
    const third = request("msg_3", "ccc");
    const chunk = Buffer.concat([request("msg_1", "a"), request("msg_2", "bb"), third.subarray(0, 10)]);
    expect(requests.feed(chunk)).toEqual(["msg_1", "msg_2"]);
    expect(requests.feed(third.subarray(10))).toEqual(["msg_3"]);
  });

  it("takes a request without a body or webhook-id", () => {
    const requests = new BareHttpRequests();
    expect(requests.feed(Buffer.from("GET / HTTP/1.1\r\nhost: x\r\n\r\n"))).toEqual([""]);
  });

  it("matches the webhook-id header by its whole name and keeps the value's case", () => {
    const requests = new BareHttpRequests();
    const body = "a\r\n\r\nb";
    const bytes = Buffer.from(`POST / HTTP/1.1\r\nX-Webhook-Id: other\r\nWEBHOOK-ID: Msg_AbC\r\nContent-Length: ${body.length}\r\n\r\n${body}`);
    expect(requests.feed(Buffer.concat([bytes, request("msg_2", "")]))).toEqual(["Msg_AbC", "msg_2"]);
  });

  it("refuses a content-length that is not a decimal count", () => {
    expect(() => new BareHttpRequests().feed(Buffer.from("POST / HTTP/1.1\r\ncontent-length: 0x10\r\n\r\n"))).toThrow(/content-length/);
  });

  it("refuses chunked bodies rather than miscounting them", () => {
    const requests = new BareHttpRequests();
    expect(() => requests.feed(Buffer.from("POST / HTTP/1.1\r\ntransfer-encoding: chunked\r\n\r\n"))).toThrow(/chunked/);
  });
});
