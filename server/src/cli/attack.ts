/**
 * `npm run attack`: the honest-but-curious coordinator against federations under each privacy
 * setting (common/src/privacy/attack/). Embeds the profiles and, for ML-100K, a dictionary of every
 * candidate profile text with the federation's encoder; writes attack.json and attack.md to --out.
 */
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { cpus } from "node:os";
import { join, resolve } from "node:path";
import {
  PRESETS,
  decodeLatin1,
  ml100kAttributes,
  ml100kCandidates,
  parseMl100kUsers,
  ratedItems,
  resolveConfig,
  runAttack,
  type AttackTruth,
  type Attributes,
  type Dataset,
  type ProfileDictionary,
  type ProfileEncoder,
} from "@fedrec/common";
import { withEmbeddingCache } from "../encoder/embedding-cache.ts";
import { createMiniLmEncoder } from "../encoder/minilm-encoder.ts";
import { createWasmGramKernel } from "../kernels/wasm-gram.ts";
import { attackTable, type SettingReports } from "../report/attack-table.ts";
import type { AttackOptions } from "./attack-args.ts";
import { ATTACK_SETTINGS } from "./attack-settings.ts";
import { REPO_ROOT, resolveDataDir } from "./dataset-location.ts";
import { loadCliDataset } from "./load-cli-dataset.ts";

export async function attack(options: AttackOptions, log: (line: string) => void = console.log): Promise<SettingReports[]> {
  const dataset = await loadCliDataset(options);
  const configs = options.settings.map((name) => {
    const s = ATTACK_SETTINGS[name];
    return resolveConfig(PRESETS[s.preset], { ...s.overrides, rounds: options.rounds, seed: options.seed }, `setting ${name}`);
  });
  const pooling = configs[0]!.pooling;
  if (configs.some((c) => c.pooling !== pooling)) throw new Error("the settings must share one pooling (one encoder)");
  const encoder = withEmbeddingCache(createMiniLmEncoder(pooling));
  const profiles = await encoder.encode(dataset.users.map((u) => u.profileText));
  const { truth, dictionary } = await attackerKnowledge(options, dataset, profiles, encoder);
  log(`${dataset.name}: ${dataset.users.length} clients; dictionary of ${dictionary?.embeddings.length ?? 0} candidate profiles`);
  const gram = await createWasmGramKernel();
  const results: SettingReports[] = [];
  for (const [i, name] of options.settings.entries()) {
    const started = performance.now();
    const reports = await runAttack(configs[i]!, dataset, profiles, truth, dictionary, [1, options.rounds], gram);
    results.push({ name, what: ATTACK_SETTINGS[name].what, reports });
    log(`${name}: ${options.rounds} rounds attacked in ${((performance.now() - started) / 1000).toFixed(0)} s`);
  }
  const out = resolve(
    options.out ?? join(REPO_ROOT, "results", `attack-${dataset.name}-${new Date().toISOString().replace(/[:.]/g, "-")}`),
  );
  await mkdir(out, { recursive: true });
  const table = attackTable(results);
  const json = {
    date: new Date().toISOString(),
    machine: `${cpus().length} × ${cpus()[0]?.model ?? "unknown CPU"}, Node ${process.version}`,
    command: `npm run attack -- ${process.argv.slice(2).join(" ")}`,
    dataset: dataset.name,
    rounds: options.rounds,
    seed: options.seed,
    zips: options.zips,
    settings: results,
  };
  await writeFile(join(out, "attack.json"), JSON.stringify(json, null, 2) + "\n");
  await writeFile(join(out, "attack.md"), table);
  log(table);
  log(`results: ${out}/attack.json, attack.md`);
  return results;
}

/**
 * The truth the scores need and, for ML-100K, the attacker's dictionary: every age in the data's
 * range × both genders × every listed occupation × the given ZIP codes, worded by the template.
 */
async function attackerKnowledge(
  options: AttackOptions,
  dataset: Dataset,
  profiles: readonly Float32Array[],
  encoder: ProfileEncoder,
): Promise<{ truth: AttackTruth; dictionary: ProfileDictionary<Attributes> | null }> {
  const rated = ratedItems(dataset);
  if (options.dataset !== "ml-100k") return { truth: { profiles, attributes: null, rated }, dictionary: null };
  const usersFile = join(resolveDataDir(options.datasetDir)!, "ml-100k", "u.user");
  const users = parseMl100kUsers(decodeLatin1(await readFile(usersFile)));
  const people = dataset.users.map((u) => {
    const person = users.get(u.sourceId);
    if (!person) throw new Error(`${usersFile} has no user ${u.sourceId}`);
    return person;
  });
  const ages = people.map((p) => p.age);
  const range = Array.from({ length: Math.max(...ages) - Math.min(...ages) + 1 }, (_, i) => Math.min(...ages) + i);
  const occupations = [...new Set(people.map((p) => p.occupation))].sort();
  const candidates = ml100kCandidates(range, occupations, options.zips);
  const dictionary = { embeddings: await encoder.encode(candidates.texts), attributes: candidates.attributes };
  return { truth: { profiles, attributes: people.map(ml100kAttributes), rated }, dictionary };
}
