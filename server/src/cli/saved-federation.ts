/**
 * `npm start` on a database that already holds a federation: what to do with it, decided once and
 * said in one line.
 *
 * - Unfinished, and the command line agrees with it (same dataset and encoder; same settings when
 *   configuration flags are given; same --code when given): resume it.
 * - Finished: keep it aside (the database file is moved to `<name>-<CODE>.sqlite`, intact) and start
 *   a new federation with a new join code. `--db <that file> --resume` serves it again.
 * - Unfinished but the command line asks for something else: refuse, saying what differs and the
 *   three ways on (--resume, --new, --fresh). Nothing is changed.
 * - `--resume`: continue the saved federation as saved, even if finished (it serves its best
 *   round's tables); `--new`: keep it aside and start a new one; `--fresh` (handled before):
 *   delete the database.
 */
import { existsSync, renameSync, rmSync } from "node:fs";
import Database from "better-sqlite3";
import {
  ConfigError,
  describeEncoder,
  encoderMismatch,
  type Catalogue,
  type EncoderIdentity,
  type FederationConfig,
} from "@fedrec/common";
import type { FederationSummary } from "../coordinator/sqlite-store.ts";

/** What this command line would create. */
export interface WantedFederation {
  readonly catalogue: Catalogue;
  readonly config: FederationConfig;
  /** Configuration flags were given (--preset, --config, --set, --rounds, --seed): settings must agree. */
  readonly configGiven: boolean;
  /** --code, when given. */
  readonly code: string | null;
  /** This machine's encoder with the saved federation's pooling (to check the saved federation's). */
  readonly encoderFor: (saved: FederationSummary) => Promise<EncoderIdentity>;
}

export type StartMode = "default" | "resume" | "new";

export type StartPlan =
  | { readonly kind: "create"; readonly note: string | null }
  | { readonly kind: "resume"; readonly note: string }
  /** Move the database to `archive`, then create a new federation. */
  | { readonly kind: "set-aside"; readonly archive: string; readonly note: string };

const progress = (s: FederationSummary) => `${s.phase}, ${s.completedRounds} of ${s.config.rounds} rounds`;

/** Decides what to do with the saved federation (the latest in the file); throws ConfigError to refuse. */
export async function planStart(
  database: string,
  saved: readonly FederationSummary[],
  wanted: WantedFederation,
  mode: StartMode,
): Promise<StartPlan> {
  const last = saved.at(-1);
  if (!last)
    return { kind: "create", note: mode === "resume" ? `Nothing to resume in ${database}: starting a new federation.` : null };
  const { code } = last;
  const archive = archivePath(database, code);
  if (mode === "new") {
    return {
      kind: "set-aside",
      archive,
      note: `Starting a new federation (--new); the saved federation ${code} (${progress(last)}) is kept in ${archive} (npm start -- --db ${archive} --resume continues it).`,
    };
  }
  if (mode === "default" && last.phase === "finished") {
    return {
      kind: "set-aside",
      archive,
      note: `The saved federation ${code} has finished (${last.completedRounds} of ${last.config.rounds} rounds): starting a new federation. The finished one is kept in ${archive} (npm start -- --db ${archive} --resume serves it again).`,
    };
  }
  const differences = await differencesFrom(last, wanted);
  if (last.catalogue.encoder === undefined) {
    throw new ConfigError(
      `The saved federation ${code} (${progress(last)}) was saved by an older version that did not record its encoder, so it cannot be resumed: keep it aside and start a new one with --new, or delete it with --fresh.`,
    );
  }
  if (mode === "resume") {
    if (last.phase === "finished") {
      return {
        kind: "resume",
        note: `Serving the saved federation ${code} (${progress(last)}; --resume): late joiners get its best round's tables.`,
      };
    }
    const asked = differences.length > 0 ? `, as saved, not as this command line asks: ${differences.join("; ")}` : "";
    return { kind: "resume", note: `Resuming the saved federation ${code} (${progress(last)}; --resume${asked}).` };
  }
  if (differences.length > 0) {
    throw new ConfigError(
      `The saved federation ${code} (${progress(last)}) does not match this command line: ${differences.join("; ")}. Continue it as saved with --resume, keep it aside and start a new one with --new, or delete it with --fresh.`,
    );
  }
  return { kind: "resume", note: `Resuming the saved federation ${code} (${progress(last)}).` };
}

/** What the command line asks for that the saved federation is not. */
async function differencesFrom(saved: FederationSummary, wanted: WantedFederation): Promise<string[]> {
  const out: string[] = [];
  const has = saved.catalogue;
  const want = wanted.catalogue;
  if (has.dataset !== want.dataset || has.numItems !== want.numItems) {
    out.push(`it recommends ${has.numItems} items of ${has.dataset}, not ${want.numItems} items of ${want.dataset}`);
  }
  if (has.encoder) {
    const mismatch = encoderMismatch(has.encoder, await wanted.encoderFor(saved));
    if (mismatch !== null) out.push(`it embeds profiles with ${describeEncoder(has.encoder)}, this machine's model files differ`);
  }
  if (wanted.code !== null && wanted.code !== saved.code) out.push(`its join code is ${saved.code}, not ${wanted.code}`);
  if (wanted.configGiven) {
    const changed = (Object.keys(wanted.config) as (keyof FederationConfig)[]).filter(
      (key) => JSON.stringify(saved.config[key]) !== JSON.stringify(wanted.config[key]),
    );
    if (changed.length > 0) {
      const shown = changed
        .slice(0, 4)
        .map((key) => `${key} ${JSON.stringify(saved.config[key])} → ${JSON.stringify(wanted.config[key])}`);
      out.push(`its settings differ (${shown.join(", ")}${changed.length > 4 ? `, and ${changed.length - 4} more` : ""})`);
    }
  }
  return out;
}

/** `<dir>/<name>-<CODE>.sqlite` (then -2, -3, … if taken). */
export function archivePath(database: string, code: string): string {
  const stem = database.replace(/\.(sqlite3?|db)$/, "");
  for (let n = 1; ; n++) {
    const path = `${stem}-${code}${n === 1 ? "" : `-${n}`}.sqlite`;
    if (!existsSync(path)) return path;
  }
}

/** Moves the database (its WAL folded in first) to `archive`, intact. */
export function setAside(database: string, archive: string): void {
  const db = new Database(database);
  db.pragma("wal_checkpoint(TRUNCATE)");
  db.close();
  renameSync(database, archive);
  for (const suffix of ["-wal", "-shm"]) rmSync(database + suffix, { force: true });
}
