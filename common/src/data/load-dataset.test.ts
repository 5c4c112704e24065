import { describe, it, expect } from "vitest";
import { datasetSummary, formatDatasetSummary, loadDataset } from "./load-dataset.ts";
import { createMemoryFileSource } from "./memory-file-source.ts";
import { generateSyntheticDataset } from "./synthetic.ts";
import { DatasetParseError } from "./parse-error.ts";

const FLAGS = "|0".repeat(19);

describe("loadDataset", () => {
  it("loads ML-100K files from the source", async () => {
    const source = createMemoryFileSource({
      "u.data": "1\t2\t5\t10\n2\t1\t3\t20\n",
      "u.user": "1|24|M|technician|85711\n2|53|F|other|94043\n3|30|F|writer|12345\n",
      "u.item": `1|A|||${FLAGS}\n2|B|||${FLAGS}\n`,
    });
    const ds = await loadDataset({ kind: "ml-100k" }, source);
    expect(datasetSummary(ds)).toEqual({
      name: "ml-100k",
      users: 3,
      items: 2,
      interactions: 2,
      usersWithoutInteractions: 1,
    });
  });

  it("loads ML-1M files from the source", async () => {
    const source = createMemoryFileSource({
      "ratings.dat": "1::1::5::10\n",
      "users.dat": "1::F::25::12::55117\n",
      "movies.dat": "1::Toy Story (1995)::Animation\n",
    });
    const ds = await loadDataset({ kind: "ml-1m" }, source);
    expect(ds.users[0]!.profileText).toBe("A female user aged 25-34 who works as a programmer, living in ZIP code 55117.");
  });

  it("loads CSV files with optional profiles and items", async () => {
    const source = createMemoryFileSource({
      "data/i.csv": "user,item\na,x\n",
      "data/p.csv": "user,profile\na,Hi.\nb,Hello.\n",
    });
    const ds = await loadDataset({ kind: "csv", interactions: "data/i.csv", profiles: "data/p.csv" }, source);
    expect(datasetSummary(ds)).toEqual({
      name: "csv:data/i.csv",
      users: 2,
      items: 1,
      interactions: 1,
      usersWithoutInteractions: 1,
    });
  });

  it("generates the synthetic dataset without a source, passing the options through", async () => {
    const ds = await loadDataset({ kind: "synthetic", numUsers: 12, numItems: 30, seed: 5 });
    expect(ds).toEqual(generateSyntheticDataset({ numUsers: 12, numItems: 30, seed: 5 }));
  });

  it("rejects file kinds without a source, and passes parse errors on", async () => {
    await expect(loadDataset({ kind: "ml-100k" })).rejects.toThrow("no FileSource");
    const source = createMemoryFileSource({ "i.csv": "user,item\n1\n" });
    await expect(loadDataset({ kind: "csv", interactions: "i.csv" }, source)).rejects.toBeInstanceOf(DatasetParseError);
  });
});

describe("datasetSummary", () => {
  it("counts users, items, interactions and users without interactions", () => {
    const ds = generateSyntheticDataset({ numUsers: 20, numItems: 40, emptyUserFraction: 0.25, seed: 1 });
    const summary = datasetSummary(ds);
    expect(summary.users).toBe(20);
    expect(summary.items).toBe(40);
    expect(summary.usersWithoutInteractions).toBe(5);
    expect(summary.interactions).toBe(ds.users.reduce((n, u) => n + u.interactions.length, 0));
    expect(formatDatasetSummary(summary)).toBe(
      `${ds.name}: 20 users, 40 items, ${summary.interactions} interactions, 5 users without interactions`,
    );
  });
});
