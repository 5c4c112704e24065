/**
 * A warm-start file (`npm run pretrain` writes it, `npm start -- --warm-start FILE` reads it): the
 * global item table a federation trained in simulation on public data, so a classroom federation
 * starts from trained item embeddings and biases instead of noise. Only the item table transfers:
 * it is the one state the coordinator sends; θ_user and the private layers start from the
 * federation's seed on every client, as without warm start.
 *
 * Layout: a FedRec binary record (binary-record.ts) whose header says what the table is — dataset,
 * item count, row width, scorer, the users left out of pretraining — with the table's sha256, and
 * the table itself. Reading checks every one of these against the federation it is to start, and
 * says which differs.
 */
import { createHash } from "node:crypto";
import type { FederationConfig } from "@fedrec/common";
import { decodeRecord, encodeRecord } from "../coordinator/binary-record.ts";

export const WARM_START_FORMAT = "fedrec-warm-start";
export const WARM_START_VERSION = 1;

export interface WarmStartHeader {
  readonly format: typeof WARM_START_FORMAT;
  readonly version: typeof WARM_START_VERSION;
  /** The catalogue the table's rows are (dataset name, as the coordinator's catalogue names it). */
  readonly dataset: string;
  readonly numItems: number;
  /** Width of a table row (the configuration's itemDim). */
  readonly itemDim: number;
  readonly scorer: FederationConfig["scorer"];
  /** The simulated round whose tables were kept (the best-validation round) and how many ran. */
  readonly bestRound: number;
  readonly roundsRun: number;
  /** Validation HR@10 of the pretraining federation at bestRound. */
  readonly valHr10: number;
  /** Source ids of the dataset users left out of pretraining (a held-out class; may be empty). */
  readonly heldOutUsers: readonly string[];
  /** sha256 of the table's bytes (little-endian float32). */
  readonly tableSha256: string;
}

export interface WarmStart {
  readonly header: WarmStartHeader;
  readonly table: Float32Array;
}

export class WarmStartError extends Error {
  override name = "WarmStartError";
}

function sha256(table: Float32Array): string {
  return createHash("sha256")
    .update(new Uint8Array(table.buffer, table.byteOffset, table.byteLength))
    .digest("hex");
}

export function encodeWarmStart(
  header: Omit<WarmStartHeader, "format" | "version" | "tableSha256">,
  table: Float32Array,
): Uint8Array {
  if (table.length !== header.numItems * header.itemDim) {
    throw new WarmStartError(
      `the table has ${table.length} values, not numItems × itemDim = ${header.numItems * header.itemDim}`,
    );
  }
  const full: WarmStartHeader = { format: WARM_START_FORMAT, version: WARM_START_VERSION, ...header, tableSha256: sha256(table) };
  return encodeRecord(full, [table]);
}

/** Decodes a warm-start file; a truncated, corrupted or foreign file is a WarmStartError naming `what`. */
export function decodeWarmStart(bytes: Uint8Array, what: string): WarmStart {
  let decoded: ReturnType<typeof decodeRecord>;
  try {
    decoded = decodeRecord(bytes, what);
  } catch (error) {
    throw new WarmStartError(
      `${what} is not a readable warm-start file (${(error as Error).message}); write it with \`npm run pretrain\``,
    );
  }
  const header = decoded.header as Partial<WarmStartHeader> | null;
  if (header?.format !== WARM_START_FORMAT) throw new WarmStartError(`${what} is a FedRec record but not a warm-start file`);
  if (header.version !== WARM_START_VERSION) {
    throw new WarmStartError(
      `${what}: warm-start format version ${String(header.version)}, this version reads ${WARM_START_VERSION}`,
    );
  }
  const [table, ...rest] = decoded.arrays;
  const { numItems, itemDim } = header;
  if (!(table instanceof Float32Array) || rest.length > 0 || !Number.isInteger(numItems) || !Number.isInteger(itemDim)) {
    throw new WarmStartError(`${what}: expected one float32 table and its numItems/itemDim in the header`);
  }
  if (table.length !== numItems! * itemDim!) {
    throw new WarmStartError(`${what}: the table has ${table.length} values, the header says ${numItems} items × ${itemDim}`);
  }
  if (sha256(table) !== header.tableSha256)
    throw new WarmStartError(`${what}: the table does not match its sha256 (corrupted file)`);
  if (!table.every(Number.isFinite)) throw new WarmStartError(`${what}: the table holds NaN or infinite values`);
  return { header: header as WarmStartHeader, table };
}

/** Throws a WarmStartError naming every way `warm` does not fit a federation over `catalogue` with `config`. */
export function checkWarmStartFits(
  warm: WarmStart,
  catalogue: { readonly dataset: string; readonly numItems: number },
  config: FederationConfig,
  what: string,
): void {
  const h = warm.header;
  const problems = [
    h.dataset !== catalogue.dataset && `it was trained on ${h.dataset}, this federation recommends ${catalogue.dataset}`,
    h.numItems !== catalogue.numItems && `it has ${h.numItems} items, the catalogue ${catalogue.numItems}`,
    h.itemDim !== config.itemDim && `its rows have ${h.itemDim} values, the configuration's itemDim is ${config.itemDim}`,
    h.scorer !== config.scorer && `it was trained for the ${h.scorer} scorer, the configuration uses ${config.scorer}`,
  ].filter((p): p is string => typeof p === "string");
  if (problems.length > 0) throw new WarmStartError(`${what} does not fit this federation: ${problems.join("; ")}`);
}
