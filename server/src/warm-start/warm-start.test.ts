/**
 * Warm start: the file round-trips exactly; a corrupted, truncated or foreign file and one that
 * does not fit the federation are refused with the reason; `npm start -- --warm-start FILE` starts
 * the federation (and its restart) from the file's table, and the first round is sent that table.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { DEFAULT_CONFIG, resolveConfig } from "@fedrec/common";
import { parseCoordinatorArgs } from "../cli/coordinator-args.ts";
import { serve, type Serving } from "../cli/serve.ts";
import { encodeRecord } from "../coordinator/binary-record.ts";
import { checkWarmStartFits, decodeWarmStart, encodeWarmStart, WarmStartError } from "./warm-start-file.ts";

const ITEMS = 50;
const SYNTHETIC = "synthetic(seed=42,users=100,items=50)"; // the catalogue `npm start` loads by default
const DIM = DEFAULT_CONFIG.itemDim;
const header = {
  dataset: SYNTHETIC,
  numItems: ITEMS,
  itemDim: DIM,
  scorer: DEFAULT_CONFIG.scorer,
  bestRound: 7,
  roundsRun: 12,
  valHr10: 0.5,
  heldOutUsers: ["99", "100"],
};
const table = Float32Array.from({ length: ITEMS * DIM }, (_, k) => Math.sin(k) / 10);

const cleanups: (() => Promise<void>)[] = [];
let serving: Serving | null = null;
afterEach(async () => {
  await serving?.close();
  serving = null;
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

async function tempFile(bytes: Uint8Array): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "fedrec-warm-"));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  const path = join(dir, "model.ckpt");
  await writeFile(path, bytes);
  return path;
}

describe("warm-start file", () => {
  it("round-trips the table bit for bit with its header", () => {
    const warm = decodeWarmStart(encodeWarmStart(header, table), "f");
    expect(warm.table).toEqual(table);
    expect(warm.header).toMatchObject({ format: "fedrec-warm-start", version: 1, ...header });
    expect(warm.header.tableSha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it("refuses corrupted, truncated and foreign files, saying which", () => {
    const bytes = encodeWarmStart(header, table);
    const flipped = bytes.slice();
    flipped[bytes.length - 3]! ^= 0x40; // a bit of the last value
    expect(() => decodeWarmStart(flipped, "m.ckpt")).toThrow(/m\.ckpt: the table does not match its sha256 \(corrupted file\)/);
    expect(() => decodeWarmStart(bytes.subarray(0, bytes.length - 8), "m.ckpt")).toThrow(
      /m\.ckpt is not a readable warm-start file \(.*array runs past the end\)/,
    );
    expect(() => decodeWarmStart(new TextEncoder().encode("hello, not a model"), "m.ckpt")).toThrow(/bad magic/);
    expect(() => decodeWarmStart(encodeRecord({ completedRounds: 3 }, [table]), "m.ckpt")).toThrow(
      /a FedRec record but not a warm-start file/,
    );
    const nan = table.slice();
    nan[5] = Number.NaN;
    expect(() => decodeWarmStart(encodeWarmStart(header, nan), "m.ckpt")).toThrow(/NaN or infinite/);
    expect(() => encodeWarmStart({ ...header, numItems: ITEMS + 1 }, table)).toThrow(WarmStartError);
  });

  it("does not fit a federation with another catalogue, row width or scorer", () => {
    const warm = decodeWarmStart(encodeWarmStart(header, table), "f");
    const catalogue = { dataset: SYNTHETIC, numItems: ITEMS };
    expect(() => checkWarmStartFits(warm, catalogue, DEFAULT_CONFIG, "f")).not.toThrow();
    expect(() => checkWarmStartFits(warm, { dataset: "ml-100k", numItems: 1682 }, DEFAULT_CONFIG, "f")).toThrow(
      `f does not fit this federation: it was trained on ${SYNTHETIC}, this federation recommends ml-100k; it has 50 items, the catalogue 1682`,
    );
    const mlp = resolveConfig(DEFAULT_CONFIG, { scorer: "mlp", itemDim: 16 });
    expect(() => checkWarmStartFits(warm, catalogue, mlp, "f")).toThrow(
      `its rows have ${DIM} values, the configuration's itemDim is 16; it was trained for the dot scorer, the configuration uses mlp`,
    );
  });
});

describe("npm start -- --warm-start", () => {
  const start = (args: readonly string[]) =>
    serve(parseCoordinatorArgs(["--port", "0", "--host", "127.0.0.1", "--code", "WARM42", ...args], {}), () => {});

  it("starts the federation from the file's table, also after a restart and a reset", async () => {
    const path = await tempFile(encodeWarmStart(header, table));
    const dir = await mkdtemp(join(tmpdir(), "fedrec-warm-db-"));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const db = join(dir, "coordinator.sqlite");
    serving = await start(["--db", db, "--warm-start", path]);
    const federation = serving.coordinator.find("WARM42")!;
    expect(federation.checkpoint().tables.global).toEqual(table);
    expect(federation.tableForRecommendations(0)).toEqual(table); // what a first joiner receives
    await serving.close();
    serving = await start(["--db", db]);
    const restarted = serving.coordinator.find("WARM42")!;
    expect(restarted.checkpoint().tables.global).toEqual(table);
    restarted.control("reset"); // the teacher starts over: from the warm table again, not the seed's draw
    expect(restarted.checkpoint().tables.global).toEqual(table);
  });

  it("refuses a file that does not fit, or is not there, before anything starts", async () => {
    const wrong = await tempFile(encodeWarmStart({ ...header, numItems: 10 }, table.subarray(0, 10 * DIM)));
    await expect(start(["--db", ":memory:", "--warm-start", wrong])).rejects.toThrow(/it has 10 items, the catalogue 50/);
    await expect(start(["--db", ":memory:", "--warm-start", "/nonexistent/model.ckpt"])).rejects.toThrow(
      /--warm-start \/nonexistent\/model\.ckpt: cannot read it/,
    );
  });
});
