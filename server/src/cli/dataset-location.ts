/**
 * Where dataset files are read from: --dataset-dir, else $FEDREC_DATA_DIR, else the shared
 * datasets folder beside the checkout (../shared/datasets) when it exists. Data never lives in
 * the repository.
 */
import { existsSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");

export function resolveDataDir(fromFlag: string | null, env: NodeJS.ProcessEnv = process.env): string | null {
  if (fromFlag !== null) return resolve(fromFlag);
  const fromEnv = env["FEDREC_DATA_DIR"];
  if (fromEnv !== undefined && fromEnv !== "") return resolve(fromEnv);
  const beside = resolve(REPO_ROOT, "..", "shared", "datasets");
  return existsSync(beside) ? beside : null;
}
