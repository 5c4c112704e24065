/**
 * Property tests of the wire codec: a few hundred seeded random arrays each, decoded from views at
 * odd byte offsets of larger buffers (as Node hands over pooled Buffers). Hand-picked cases and the
 * refusals' messages are in protocol.test.ts.
 */
import { describe, expect, it } from "vitest";
import { createRng } from "../random/rng.ts";
import { atOddOffset, randomFloat16Values, randomFloat32, sameBits } from "../testing/random-arrays.ts";
import { roundToFloat16 } from "./float16.ts";
import { isErrorReply, type ErrorReply } from "./protocol-error.ts";
import { float16FromWire, float32FromWire, int32FromWire, toWire, toWireFloat16 } from "./wire-arrays.ts";

const CASES = 300;

/** The decoded array, failing the test on an error reply. */
function ok<T extends Float32Array | Int32Array>(decoded: T | ErrorReply): T {
  if (isErrorReply(decoded)) throw new Error(`unexpected refusal: ${decoded.code}: ${decoded.message}`);
  return decoded;
}

describe("wire arrays, property tests", () => {
  it("float32 round-trips every finite bit pattern exactly, from an odd offset, into a fresh aligned array", () => {
    const rng = createRng(101);
    for (let c = 0; c < CASES; c++) {
      const values = randomFloat32(rng, rng.int(200));
      // Send a view into a larger array: only the view's bytes may travel.
      const start = rng.int(4);
      const padded = new Float32Array(start + values.length + rng.int(4));
      padded.set(values, start);
      const wire = toWire(padded.subarray(start, start + values.length));
      expect(wire.byteLength).toBe(4 * values.length);
      const bytes = rng.next() < 0.5 ? atOddOffset(wire, rng) : wire;
      const decoded = ok(float32FromWire(bytes, "x", values.length));
      expect(sameBits(decoded, values), `case ${c}`).toBe(true);
      expect(decoded.byteOffset).toBe(0);
      expect(decoded.buffer).not.toBe(bytes.buffer); // a copy: later changes to the Buffer cannot reach it
    }
  });

  it("int32 round-trips any values (ranges are checked by the upload's validation, not the codec)", () => {
    const rng = createRng(102);
    for (let c = 0; c < CASES; c++) {
      const values = Int32Array.from({ length: rng.int(300) }, () => rng.int(2 ** 32) | 0);
      const decoded = ok(int32FromWire(atOddOffset(toWire(values), rng), "rows", values.length + rng.int(3)));
      expect(sameBits(decoded, values), `case ${c}`).toBe(true);
      expect(decoded.byteOffset).toBe(0);
    }
  });

  it("float16 round-trips every float16-representable value exactly (±0 included) in 2 bytes each", () => {
    const rng = createRng(103);
    for (let c = 0; c < CASES; c++) {
      const values = randomFloat16Values(rng, rng.int(200));
      const wire = toWireFloat16(values);
      expect(wire.byteLength).toBe(2 * values.length);
      const decoded = ok(float16FromWire(atOddOffset(wire, rng), "x", values.length));
      expect(sameBits(decoded, values), `case ${c}`).toBe(true);
    }
  });

  it("float16 carries any finite float32 as its nearest float16 (clamped, never Inf)", () => {
    const rng = createRng(104);
    for (let c = 0; c < CASES; c++) {
      const values = randomFloat32(rng, rng.int(200));
      const decoded = ok(float16FromWire(atOddOffset(toWireFloat16(values), rng), "x", values.length));
      expect(sameBits(decoded, roundToFloat16(values)), `case ${c}`).toBe(true);
    }
  });

  it("one NaN or ±Inf anywhere is refused as not-finite, naming its index", () => {
    const rng = createRng(105);
    const bits = new Uint32Array(1);
    for (let c = 0; c < CASES; c++) {
      const length = 1 + rng.int(100);
      const at = rng.int(length);
      const values = randomFloat32(rng, length);
      // Any exponent-255 pattern, written as bytes so its payload survives: ±Inf, quiet and signalling NaNs.
      bits[0] = (rng.int(2) << 31) | (0xff << 23) | rng.int(1 << 23);
      const wire = toWire(values);
      wire.set(new Uint8Array(bits.buffer), 4 * at);
      expect(float32FromWire(atOddOffset(wire, rng), "w", length)).toMatchObject({
        code: "not-finite",
        message: expect.stringContaining(`w[${at}]`),
      });
      const halves = new Uint16Array(toWireFloat16(randomFloat16Values(rng, length)).buffer);
      halves[at] = (rng.int(2) << 15) | 0x7c00 | rng.int(1024); // exponent 31: ±Inf or NaN
      expect(float16FromWire(atOddOffset(new Uint8Array(halves.buffer), rng), "w", length)).toMatchObject({
        code: "not-finite",
        message: expect.stringContaining(`w[${at}]`),
      });
    }
  });

  it("a byte count that is not exactly the expected length is refused as wrong-shape", () => {
    const rng = createRng(106);
    for (let c = 0; c < CASES; c++) {
      const length = rng.int(50);
      let bytes = rng.int(8 * length + 9);
      if (bytes === 4 * length) bytes++;
      expect(float32FromWire(new Uint8Array(bytes), "w", length)).toMatchObject({ code: "wrong-shape" });
      if (bytes === 2 * length) bytes++;
      expect(float16FromWire(new Uint8Array(bytes), "w", length)).toMatchObject({ code: "wrong-shape" });
    }
  });
});
