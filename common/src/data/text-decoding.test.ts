import { describe, it, expect } from "vitest";
import { decodeLatin1, decodeUtf8, encodeUtf8 } from "./text-decoding.ts";
import { DatasetParseError } from "./parse-error.ts";

describe("decodeLatin1", () => {
  it("maps each byte to the code point of the same value", () => {
    expect(decodeLatin1(Uint8Array.of(0x43, 0x61, 0x66, 0xe9))).toBe("Café");
    expect(decodeLatin1(Uint8Array.of(0x00, 0x7f, 0x80, 0xff))).toBe("\u0000\u007f\u0080\u00ff");
  });

  it("handles inputs longer than one chunk", () => {
    const bytes = new Uint8Array(20000).fill(0x61);
    bytes[19999] = 0xe9;
    const text = decodeLatin1(bytes);
    expect(text.length).toBe(20000);
    expect(text.endsWith("aé")).toBe(true);
  });
});

describe("decodeUtf8", () => {
  it("decodes 1- to 4-byte sequences", () => {
    const text = "A é € 𝄞 ü";
    expect(decodeUtf8(encodeUtf8(text))).toBe(text);
    expect(decodeUtf8(Uint8Array.of(0xc3, 0xa9))).toBe("é");
    expect(decodeUtf8(Uint8Array.of(0xf0, 0x9d, 0x84, 0x9e))).toBe("𝄞");
  });

  it("strips a leading byte-order mark", () => {
    expect(decodeUtf8(Uint8Array.of(0xef, 0xbb, 0xbf, 0x61))).toBe("a");
  });

  it("round-trips long text", () => {
    const text = "ünïcödé,".repeat(3000);
    expect(decodeUtf8(encodeUtf8(text))).toBe(text);
  });

  it.each([
    ["a lone continuation byte", [0x61, 0x80]],
    ["a latin1 é", [0x43, 0x61, 0x66, 0xe9]],
    ["a truncated sequence", [0xe2, 0x82]],
    ["an overlong encoding", [0xc0, 0xaf]],
    ["an encoded surrogate", [0xed, 0xa0, 0x80]],
    ["a code point above U+10FFFF", [0xf4, 0x90, 0x80, 0x80]],
  ])("rejects %s", (_label, bytes) => {
    expect(() => decodeUtf8(Uint8Array.from(bytes), "x.csv")).toThrow(DatasetParseError);
  });

  it("names the file and line of an invalid byte", () => {
    const bytes = Uint8Array.of(0x61, 0x0a, 0x62, 0x0a, 0x63, 0xe9);
    expect(() => decodeUtf8(bytes, "profiles.csv")).toThrow("profiles.csv line 3: invalid UTF-8 byte 0xE9");
  });
});
