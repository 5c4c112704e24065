import { describe, expect, it } from "vitest";
import { SecureAggregationError } from "../secure-aggregation/secure-aggregation-error.ts";
import { maskedBodyFromWire, parseSecaggFrame, refusalOf, secaggFrame } from "./secure-aggregation-wire.ts";

/** `bytes` inside a larger buffer at an odd offset, as Node's socket.io hands over an attachment. */
function atOddOffset(bytes: Uint8Array): Uint8Array {
  const pool = new Uint8Array(bytes.length + 7);
  pool.set(bytes, 3);
  return pool.subarray(3, 3 + bytes.length);
}

describe("secagg frames on the wire", () => {
  it("pack every binary field into one attachment and read them back as fresh Uint8Arrays", () => {
    const keys = Array.from({ length: 12 }, (_, i) => ({
      client: i,
      encryptionKey: new Uint8Array(32).fill(i),
      maskKey: new Uint8Array(32).fill(100 + i),
    }));
    const frame = secaggFrame(3, "F round 3 attempt 1 group 0", { session: "s", threshold: 9, keys });
    expect(frame.bytes).toBeInstanceOf(Uint8Array);
    expect((frame.bytes as Uint8Array).length).toBe(12 * 64); // 24 keys, one attachment
    expect((frame.body as { keys: unknown[] }).keys[1]).toEqual({
      client: 1,
      encryptionKey: { $bytes: [64, 32] },
      maskKey: { $bytes: [96, 32] },
    });
    const received = parseSecaggFrame({ ...frame, bytes: atOddOffset(frame.bytes as Uint8Array) }, "secagg:roster");
    expect(received).toEqual({ round: 3, session: "F round 3 attempt 1 group 0", body: { session: "s", threshold: 9, keys } });
    const key = (received as { body: { keys: { maskKey: Uint8Array }[] } }).body.keys[5]!.maskKey;
    expect(Object.getPrototypeOf(key)).toBe(Uint8Array.prototype);
    expect(key.byteOffset).toBe(0); // a copy, not a view of the attachment
  });

  it("read an ArrayBuffer attachment (the browser's) and a masked input as uint32", () => {
    const masked = Uint32Array.of(0, 1, 0xffffffff, 123456789);
    const frame = secaggFrame(1, "s", { client: 2, masked });
    const bytes = frame.bytes as Uint8Array;
    const received = parseSecaggFrame(
      { ...frame, bytes: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) },
      "x",
    );
    const body = maskedBodyFromWire((received as { body: unknown }).body, "secagg:masked") as { masked: Uint32Array };
    expect(body.masked).toEqual(masked);
  });

  it("refuse envelopes and binary places that do not fit, naming the problem", () => {
    const bytes = new Uint8Array(8);
    expect(parseSecaggFrame({ round: 0, session: "s", body: {}, bytes }, "secagg:keys")).toMatchObject({
      code: "malformed",
      message: expect.stringMatching(/^secagg:keys\.round: expected an integer in \[1, 100000\], got 0/),
    });
    expect(parseSecaggFrame({ round: 1, session: "s", body: {} }, "secagg:keys")).toMatchObject({ code: "malformed" });
    expect(parseSecaggFrame({ round: 1, session: "s", body: { key: { $bytes: [4, 8] } }, bytes }, "secagg:keys")).toMatchObject({
      code: "malformed",
      message: "secagg:keys.body: a binary field's place [4,8] is not [offset, length] within the 8 bytes sent",
    });
    expect(parseSecaggFrame({ round: 1, session: "s", body: { key: { $bytes: [-1, 2] } }, bytes }, "e")).toMatchObject({
      code: "malformed",
    });
    const deep = { a: [[[[[{ $bytes: [0, 1] }]]]]] };
    expect(parseSecaggFrame({ round: 1, session: "s", body: deep, bytes }, "e")).toMatchObject({
      message: expect.stringMatching(/nested deeper than 4 levels/),
    });
    expect(() => maskedBodyFromWire({ masked: new Uint8Array(7) }, "secagg:masked")).toThrow(
      /7 bytes is not a whole number of uint32/,
    );
  });

  it("answer the core's refusals with the protocol's codes", () => {
    const refuse = (code: ConstructorParameters<typeof SecureAggregationError>[0]) =>
      refusalOf("secagg:masked", () => {
        throw new SecureAggregationError(code, "why");
      });
    expect(refuse("unknown-client")).toEqual({ ok: false, code: "not-sampled", message: "secagg:masked: why" });
    expect(refuse("duplicate")).toMatchObject({ code: "duplicate" });
    expect(refuse("wrong-phase")).toMatchObject({ code: "wrong-round" });
    expect(refuse("malformed")).toMatchObject({ code: "malformed" });
    expect(() => refusalOf("e", () => JSON.parse("{"))).toThrow(SyntaxError); // a bug is not a refusal
  });
});
