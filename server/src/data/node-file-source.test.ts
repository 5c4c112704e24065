import { afterAll, beforeAll, describe, it, expect } from "vitest";
import { mkdtemp, mkdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { createNodeFileSource } from "./node-file-source.ts";

let directory = "";

beforeAll(async () => {
  directory = await mkdtemp(path.join(tmpdir(), "fedrec-node-file-source-"));
  await writeFile(path.join(directory, "u.data"), Uint8Array.of(0x31, 0x09, 0xe9, 0x0a));
  await mkdir(path.join(directory, "sub"));
  await writeFile(path.join(directory, "sub", "p.csv"), "user,profile\n");
});

afterAll(async () => {
  await rm(directory, { recursive: true, force: true });
});

describe("createNodeFileSource", () => {
  it("reads the bytes of files in the directory and its subdirectories", async () => {
    const source = createNodeFileSource(directory);
    const bytes = await source.readFile("u.data");
    expect(bytes).toBeInstanceOf(Uint8Array);
    expect(Array.from(bytes)).toEqual([0x31, 0x09, 0xe9, 0x0a]);
    expect(new TextDecoder().decode(await source.readFile("sub/p.csv"))).toBe("user,profile\n");
  });

  it("reports which files exist (directories are not files)", async () => {
    const source = createNodeFileSource(directory);
    expect(await source.exists("u.data")).toBe(true);
    expect(await source.exists("sub/p.csv")).toBe(true);
    expect(await source.exists("sub")).toBe(false);
    expect(await source.exists("u.item")).toBe(false);
    expect(await source.exists("u.data/x")).toBe(false);
  });

  it("names the full path of a missing file", async () => {
    const source = createNodeFileSource(directory);
    await expect(source.readFile("u.item")).rejects.toThrow(`Dataset file not found: ${path.join(directory, "u.item")}`);
  });

  it("refuses names outside the directory", async () => {
    const source = createNodeFileSource(path.join(directory, "sub"));
    await expect(source.readFile("../u.data")).rejects.toThrow("is not inside");
    await expect(source.readFile(path.join(directory, "u.data"))).rejects.toThrow("is not inside");
  });
});
