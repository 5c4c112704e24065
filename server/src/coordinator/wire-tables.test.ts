import { describe, expect, it } from "vitest";
import { float32FromWire } from "@fedrec/common";
import { WireTables } from "./wire-tables.ts";

const nextTurn = () => new Promise((r) => setImmediate(r));

describe("WireTables", () => {
  it("encodes a table once within a burst, and anew after the loop yields (a table changed in place is not sent stale)", async () => {
    const wire = new WireTables();
    const table = Float32Array.from([1.5, -2, 3.25]);
    const first = wire.bytesOf(table);
    expect(wire.bytesOf(table)).toBe(first);
    expect(float32FromWire(first, "table", 3)).toEqual(table);
    const other = Float32Array.from([1.5, -2, 3.25]);
    expect(wire.bytesOf(other)).not.toBe(first);

    await nextTurn();
    table[0] = 7;
    const later = wire.bytesOf(table);
    expect(later).not.toBe(first);
    expect(Array.from(float32FromWire(later, "table", 3) as Float32Array)).toEqual([7, -2, 3.25]);
    expect(Array.from(float32FromWire(first, "table", 3) as Float32Array)).toEqual([1.5, -2, 3.25]);
  });
});
