import { describe, it, expect } from "vitest";
import { createMemoryFileSource } from "./memory-file-source.ts";

describe("createMemoryFileSource", () => {
  it("serves strings as UTF-8 bytes and byte arrays as given", async () => {
    const source = createMemoryFileSource({ "a.txt": "é", "b.bin": Uint8Array.of(0xe9) });
    expect(Array.from(await source.readFile("a.txt"))).toEqual([0xc3, 0xa9]);
    expect(Array.from(await source.readFile("b.bin"))).toEqual([0xe9]);
  });

  it("reports existence and rejects missing files with their name", async () => {
    const source = createMemoryFileSource({ "a.txt": "x" });
    expect(await source.exists("a.txt")).toBe(true);
    expect(await source.exists("missing.csv")).toBe(false);
    await expect(source.readFile("missing.csv")).rejects.toThrow("missing.csv");
  });
});
