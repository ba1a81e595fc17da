/**
 * The dispatch cursor passes an event only once every message fan-out held
 * for it is written, whatever order their outcomes come in.
 */
import { describe, expect, it } from "vitest";
import { FanOutWatermark } from "../../src/webhooks/fan-out-watermark.js";

describe("FanOutWatermark", () => {
  it("starts at the stored cursor and follows events that made no unwritten message", () => {
    const watermark = new FanOutWatermark(10);
    expect(watermark.cursor).toBe(10);
    watermark.fanOut(11, 0);
    watermark.fanOut(12, 0);
    expect([watermark.cursor, watermark.fannedOut]).toEqual([12, 12]);
  });

  it("stops before the oldest event with a message still unwritten, and moves as outcomes are written out of order", () => {
    const watermark = new FanOutWatermark(0);
    watermark.fanOut(1, 2);
    watermark.fanOut(2, 1);
    watermark.fanOut(3, 0);
    watermark.fanOut(4, 1);
    expect(watermark.cursor).toBe(0);
    watermark.settle(2);
    watermark.settle(4);
    expect(watermark.cursor).toBe(0);
    watermark.settle(1);
    expect(watermark.cursor).toBe(0);
    watermark.settle(1);
    // Events 2 and 4 were written before 1: all four are passed at once.
    expect(watermark.cursor).toBe(4);
    expect(watermark.fannedOut).toBe(4);
  });

  it("refuses to settle a message it never held", () => {
    const watermark = new FanOutWatermark(0);
    watermark.fanOut(1, 1);
    watermark.settle(1);
    expect(() => watermark.settle(1)).toThrow(/no unwritten message of event 1/);
  });

  it("stays correct over many events", () => {
    const watermark = new FanOutWatermark(0);
    for (let sequence = 1; sequence <= 5_000; sequence++) watermark.fanOut(sequence, 1);
    for (let sequence = 1; sequence <= 4_000; sequence++) {
      watermark.settle(sequence);
      if (sequence % 997 === 0) expect(watermark.cursor).toBe(sequence);
    }
    expect(watermark.cursor).toBe(4_000);
    for (let sequence = 5_000; sequence > 4_000; sequence--) watermark.settle(sequence);
    expect(watermark.cursor).toBe(5_000);
  });

  it("keeps memory to the events still open when one old event holds the cursor back", () => {
    const watermark = new FanOutWatermark(0);
    watermark.fanOut(1, 1);
    for (let sequence = 2; sequence <= 100_000; sequence++) {
      watermark.fanOut(sequence, 1);
      watermark.settle(sequence);
    }
    expect(watermark.cursor).toBe(0);
    const held = (watermark as unknown as { events: unknown[] }).events;
    expect(held.length).toBeLessThan(10_000);
    watermark.settle(1);
    expect(watermark.cursor).toBe(100_000);
  });
});
