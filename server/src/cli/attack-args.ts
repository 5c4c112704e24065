/** Command-line options of `npm run attack`. */
import { DATASET_USAGE, UsageError, datasetOptions, parseCommandLine, positiveInt, type DatasetOptions } from "./command-line.ts";
import { ATTACK_SETTING_NAMES, type AttackSettingName } from "./attack-settings.ts";

export interface AttackOptions extends DatasetOptions {
  readonly settings: readonly AttackSettingName[];
  /** Rounds of each federation; the attacks are scored after round 1 and after the last. */
  readonly rounds: number;
  readonly seed: number;
  /** ZIP codes the dictionary's candidate texts use (the attack does not score the ZIP). */
  readonly zips: readonly string[];
  readonly out: string | null;
  readonly help: boolean;
}

export const ATTACK_USAGE = `Usage: npm run attack -- [options]

Plays an honest-but-curious coordinator against federations run under each privacy setting and
reports what it learns from the uploads alone (docs/privacy.md).

${DATASET_USAGE}
  --settings A,B,…      ${ATTACK_SETTING_NAMES.join(" | ")} (default: all)
  --rounds N            rounds per federation; scored after round 1 and round N (default 20)
  --seed N              the federations' seed (default 1)
  --zips A,B,…          ml-100k: ZIP codes of the dictionary's candidate texts (default 55414)
  --out DIR             where attack.json and attack.md go (default: results/attack-<dataset>-<time>)
  --help
`;

export function parseAttackArgs(argv: readonly string[]): AttackOptions {
  const v = parseCommandLine(
    argv,
    {
      settings: { type: "string" },
      rounds: { type: "string" },
      seed: { type: "string" },
      zips: { type: "string" },
      out: { type: "string" },
    },
    false,
  );
  const settings = ((v.settings as string | undefined) ?? ATTACK_SETTING_NAMES.join(",")).split(",");
  for (const s of settings) {
    if (!(ATTACK_SETTING_NAMES as readonly string[]).includes(s)) {
      throw new UsageError(`--settings: unknown setting "${s}" (known: ${ATTACK_SETTING_NAMES.join(", ")})`);
    }
  }
  const seed = Number((v.seed as string | undefined) ?? "1");
  if (!Number.isInteger(seed)) throw new UsageError(`--seed must be an integer, got "${String(v.seed)}"`);
  const zips = ((v.zips as string | undefined) ?? "55414").split(",");
  if (zips.some((z) => z.trim() === "")) throw new UsageError(`--zips must list ZIP codes, got "${String(v.zips)}"`);
  return {
    ...datasetOptions(v),
    settings: settings as AttackSettingName[],
    rounds: positiveInt("--rounds", v.rounds as string | undefined) ?? 20,
    seed,
    zips,
    out: (v.out as string | undefined) ?? null,
    help: v.help === true,
  };
}
