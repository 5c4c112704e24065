/**
 * One entry point for every dataset kind: a spec (discriminated union) plus, for file-based kinds,
 * the FileSource to read from. Also a short summary for logs and the UI.
 */
import type { Dataset } from "./dataset.ts";
import type { FileSource } from "./file-source.ts";
import { loadCsvDataset } from "./csv-interactions.ts";
import { loadMovieLens100k } from "./movielens-100k.ts";
import { loadMovieLens1m } from "./movielens-1m.ts";
import { generateSyntheticDataset, type SyntheticOptions } from "./synthetic.ts";

export type DatasetSpec =
  | { readonly kind: "ml-100k" }
  | { readonly kind: "ml-1m" }
  | { readonly kind: "csv"; readonly interactions: string; readonly profiles?: string; readonly items?: string }
  | ({ readonly kind: "synthetic" } & SyntheticOptions);

export type DatasetKind = DatasetSpec["kind"];

function requireSource(spec: DatasetSpec, source: FileSource | undefined): FileSource {
  if (source === undefined) throw new Error(`dataset "${spec.kind}" is read from files, but no FileSource was given`);
  return source;
}

/**
 * Loads (or generates) a dataset. File names are relative to `source`; the synthetic kind needs no
 * source. Malformed files reject with a DatasetParseError, missing files with the source's error.
 */
export async function loadDataset(spec: DatasetSpec, source?: FileSource): Promise<Dataset> {
  switch (spec.kind) {
    case "ml-100k":
      return loadMovieLens100k(requireSource(spec, source));
    case "ml-1m":
      return loadMovieLens1m(requireSource(spec, source));
    case "csv": {
      const { interactions, profiles, items } = spec;
      return loadCsvDataset(requireSource(spec, source), {
        interactions,
        ...(profiles !== undefined && { profiles }),
        ...(items !== undefined && { items }),
      });
    }
    case "synthetic": {
      const { kind: _kind, ...options } = spec;
      return generateSyntheticDataset(options);
    }
  }
}

export interface DatasetSummary {
  readonly name: string;
  readonly users: number;
  readonly items: number;
  readonly interactions: number;
  readonly usersWithoutInteractions: number;
}

export function datasetSummary(ds: Dataset): DatasetSummary {
  let interactions = 0;
  let usersWithoutInteractions = 0;
  for (const user of ds.users) {
    interactions += user.interactions.length;
    if (user.interactions.length === 0) usersWithoutInteractions++;
  }
  return { name: ds.name, users: ds.users.length, items: ds.numItems, interactions, usersWithoutInteractions };
}

/** "ml-100k: 943 users, 1682 items, 100000 interactions, 0 users without interactions". */
export function formatDatasetSummary(summary: DatasetSummary): string {
  const { name, users, items, interactions, usersWithoutInteractions } = summary;
  return `${name}: ${users} users, ${items} items, ${interactions} interactions, ${usersWithoutInteractions} users without interactions`;
}
