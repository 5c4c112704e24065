/**
 * What one masked upload tells the server about its client: nothing measurable. The input is a
 * realistic quantised change (a few changed rows, zeros elsewhere); the masked vector must look
 * uniform on Z_{2^32} and be uncorrelated with the input, and ranking rows by their masked values
 * must find the changed rows no better than chance. Each check fails on the unmasked input. The
 * clients' keys and seeds come from a seeded ChaCha20 generator, so the checks are deterministic.
 */
import { rngChacha20 } from "@noble/ciphers/chacha.js";
import { describe, expect, it } from "vitest";
import { createRng } from "../random/rng.ts";
import { fixedPointScale, quantiseChange } from "./fixed-point.ts";
import { SecureAggregationClient } from "./secure-aggregation-client.ts";
import { SecureAggregationServer } from "./secure-aggregation-server.ts";

const ITEMS = 1000;
const DIM = 16;
const CHANGED = 50;

function trainedUpdate() {
  const rng = createRng(7);
  const base = Float32Array.from({ length: ITEMS * DIM }, () => 0.01 * rng.normal());
  const rows = Int32Array.from(new Set(Array.from({ length: 400 }, () => rng.int(ITEMS))), (r) => r)
    .slice(0, CHANGED)
    .sort();
  const values = Float32Array.from(
    { length: rows.length * DIM },
    (_, i) => base[rows[Math.floor(i / DIM)]! * DIM + (i % DIM)]! + 0.05 * rng.normal(),
  );
  return { base, rows, values };
}

async function maskedUpload(input: Uint32Array): Promise<Uint32Array> {
  const plan = { session: "privacy", clients: [1, 2, 3], threshold: 3, vectorLength: input.length };
  const server = new SecureAggregationServer(plan);
  const prg = rngChacha20(new Uint8Array(32).fill(42));
  const randomBytes = (length: number) => prg.randomBytes(length);
  const clients = plan.clients.map((id) => new SecureAggregationClient(id, plan.session, randomBytes));
  for (const c of clients) server.receiveKeys(c.advertiseKeys());
  const roster = server.closeAdvertising();
  for (const c of clients) server.receiveShares(await c.shareKeys(roster));
  return clients[0]!.maskInput(server.closeSharing().get(1), input).masked;
}

/** Pearson correlation of two vectors read as signed int32. */
function correlation(a: Uint32Array, b: Uint32Array): number {
  const n = a.length;
  let ma = 0;
  let mb = 0;
  for (let i = 0; i < n; i++) {
    ma += a[i]! | 0;
    mb += b[i]! | 0;
  }
  ma /= n;
  mb /= n;
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < n; i++) {
    const x = (a[i]! | 0) - ma;
    const y = (b[i]! | 0) - mb;
    sab += x * y;
    saa += x * x;
    sbb += y * y;
  }
  return saa === 0 || sbb === 0 ? 0 : sab / Math.sqrt(saa * sbb);
}

/** χ² of the top bytes against the uniform distribution (255 degrees of freedom). */
function topByteChiSquare(v: Uint32Array): number {
  const counts = new Float64Array(256);
  for (const x of v) counts[x >>> 24]! += 1;
  const expected = v.length / 256;
  return counts.reduce((s, c) => s + (c - expected) ** 2 / expected, 0);
}

/** Fraction of the top-CHANGED rows by squared magnitude (signed int32) that really changed. */
function changedRowPrecision(v: Uint32Array, changed: ReadonlySet<number>): number {
  const energy = Array.from({ length: ITEMS }, (_, r) => {
    let e = 0;
    for (let k = 0; k < DIM; k++) e += (v[r * DIM + k]! | 0) ** 2;
    return { r, e };
  });
  const top = energy.sort((a, b) => b.e - a.e).slice(0, CHANGED);
  return top.filter(({ r }) => changed.has(r)).length / CHANGED;
}

describe("a masked upload reveals nothing about its input", async () => {
  const update = trainedUpdate();
  const input = quantiseChange(update, DIM, 0.25, 1, fixedPointScale(1, [0.25, 0.5, 0.25]));
  const masked = await maskedUpload(input);
  const changed = new Set(update.rows);
  const n = input.length;

  it("is uncorrelated with the input (|r| below 4 standard errors of chance)", () => {
    expect(correlation(input, input)).toBe(1);
    expect(Math.abs(correlation(masked, input))).toBeLessThan(4 / Math.sqrt(n));
  });

  it("is uniform on Z_2^32: its top bytes pass χ²(255) at p = 0.001 (critical value 330.5)", () => {
    expect(topByteChiSquare(input)).toBeGreaterThan(10 * n);
    expect(topByteChiSquare(masked)).toBeLessThan(330.5);
  });

  it("does not single out the changed rows: ranking rows by magnitude finds them at chance", () => {
    const chance = CHANGED / ITEMS;
    expect(changedRowPrecision(input, changed)).toBe(1);
    // 50 draws from 1000 rows with 50 changed: hypergeometric sd ≈ 0.03 around 0.05.
    expect(changedRowPrecision(masked, changed)).toBeLessThan(chance + 0.15);
  });
});
