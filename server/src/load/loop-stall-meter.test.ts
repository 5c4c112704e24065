import { describe, expect, it } from "vitest";
import { LoopStallMeter } from "./loop-stall-meter.ts";

function blockFor(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until);
}

const tick = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("LoopStallMeter", () => {
  it("measures a synchronous stretch, then starts again from zero", async () => {
    const meter = new LoopStallMeter(5);
    await tick(20);
    meter.take();
    blockFor(150);
    await tick(20);
    const stall = meter.take();
    expect(stall).toBeGreaterThanOrEqual(140);
    expect(stall).toBeLessThan(1000);
    await tick(30);
    expect(meter.take()).toBeLessThan(stall);
    meter.stop();
  });

  it("counts a stall that is still going on when asked", () => {
    const meter = new LoopStallMeter(5);
    meter.take();
    blockFor(120);
    expect(meter.take()).toBeGreaterThanOrEqual(110);
    meter.stop();
  });
});
