import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { parseCoordinatorArgs } from "./coordinator-args.ts";
import { serve, type Serving } from "./serve.ts";
import { serveCluster } from "./serve-cluster.ts";
import { waitUntil } from "../testing/live-federation.ts";
import { selfSignedCertificate } from "../testing/self-signed.ts";

let serving: Serving | null = null;
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  await serving?.close();
  serving = null;
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

describe("npm start --demo-clients", () => {
  it("prints the join code and links, and runs a federation of MiniLM-embedded headless clients at once", async () => {
    const lines: string[] = [];
    const options = parseCoordinatorArgs(
      ["--port", "0", "--host", "127.0.0.1", "--db", ":memory:", "--demo-clients", "6", "--rounds", "2", "--code", "DEMO42"],
      {},
    );
    serving = await serve(options, (line) => lines.push(line));
    const text = lines.join("\n");
    expect(text).toMatch(/federation DEMO42: 50 items of synthetic/);
    expect(text).toMatch(/join link {2}http:\/\/127\.0\.0\.1:\d+\/\?code=DEMO42&token=[\w-]{8,}/);
    expect(text).toMatch(/admin {6}http:\/\/127\.0\.0\.1:\d+\/admin\?code=DEMO42&token=[\w-]{8,}/);
    expect(text).toMatch(/6 demo clients joined .*all-MiniLM-L6-v2/);
    const federation = serving.coordinator.find("DEMO42")!;
    await waitUntil(() => federation.phase === "finished", 30_000, "2 rounds");
    // All demo clients were in before round 1 opened.
    expect(federation.history.map((h) => [h.round, h.aggregated])).toEqual([
      [1, 6],
      [2, 6],
    ]);
    expect(lines.filter((l) => /^\[DEMO42\] round \d\/2 · 6\/6 clients/.test(l))).toHaveLength(2);
  });
});

describe("npm start with secure aggregation", () => {
  it("runs the demo clients' rounds through the protocol's sessions", async () => {
    const options = parseCoordinatorArgs(
      [
        ...[
          "--port",
          "0",
          "--host",
          "127.0.0.1",
          "--db",
          ":memory:",
          "--demo-clients",
          "6",
          "--rounds",
          "1",
          "--code",
          "SECURE7",
        ],
        ...["--set", "secureAggregation=true", "--set", "distribution=global"],
      ],
      {},
    );
    serving = await serve(options, () => undefined);
    const federation = serving.coordinator.find("SECURE7")!;
    await waitUntil(() => federation.phase === "finished", 30_000, "1 secure round");
    expect(federation.history[0]).toMatchObject({ aggregated: 6, secureAggregation: { sessions: 1, failed: 0, summed: 6 } });
  });

  it("is refused with --redis in one line, before any Redis is contacted", async () => {
    const options = parseCoordinatorArgs(
      ["--port", "0", "--redis", "redis://127.0.0.1:1", "--set", "secureAggregation=true", "--set", "distribution=global"],
      {},
    );
    await expect(serveCluster(options, () => undefined)).rejects.toThrow(
      /^secureAggregation runs with the SQLite coordinator, not with --redis \(docs\/deploy\.md\)$/,
    );
  });
});

describe("npm start --tls-cert --tls-key", () => {
  const loopback = selfSignedCertificate("DNS:localhost,IP:127.0.0.1");
  const elsewhere = selfSignedCertificate("DNS:fedrec.example");
  afterAll(() => {
    loopback.remove();
    elsewhere.remove();
  });
  const args = (certificate: { certFile: string; keyFile: string }, ...more: string[]) =>
    parseCoordinatorArgs(
      [
        "--port",
        "0",
        "--host",
        "127.0.0.1",
        "--db",
        ":memory:",
        "--tls-cert",
        certificate.certFile,
        "--tls-key",
        certificate.keyFile,
        ...more,
      ],
      {},
    );

  it("prints https links and runs demo clients over wss with the certificate trusted", async () => {
    const lines: string[] = [];
    serving = await serve(args(loopback, "--demo-clients", "3", "--rounds", "1", "--code", "TLS042"), (line) => lines.push(line));
    const text = lines.join("\n");
    expect(text).toMatch(/listening on 127\.0\.0\.1:\d+ \(HTTPS\/WSS only\)/);
    expect(text).toMatch(/join link {2}https:\/\/127\.0\.0\.1:\d+\/\?code=TLS042&token=/);
    expect(text).toMatch(/admin {6}https:\/\/127\.0\.0\.1:\d+\/admin\?code=TLS042&token=/);
    expect(text).not.toMatch(/http:\/\//);
    const federation = serving.coordinator.find("TLS042")!;
    await waitUntil(() => federation.phase === "finished", 30_000, "1 round over wss");
    expect(federation.history[0]).toMatchObject({ round: 1, aggregated: 3 });
  });

  it("names the problem with the certificate files before listening", async () => {
    expect(() => parseCoordinatorArgs(["--tls-cert", loopback.certFile], {})).toThrow(/--tls-cert and --tls-key go together/);
    await expect(serve(args({ certFile: "/nonexistent/cert.pem", keyFile: loopback.keyFile }))).rejects.toThrow(
      /cannot read --tls-cert \/nonexistent\/cert\.pem/,
    );
    await expect(serve(args({ certFile: loopback.keyFile, keyFile: loopback.keyFile }))).rejects.toThrow(
      /is not a PEM certificate/,
    );
    await expect(serve(args({ certFile: loopback.certFile, keyFile: elsewhere.keyFile }))).rejects.toThrow(
      /--tls-key .* does not fit --tls-cert/,
    );
    await expect(serve(args(elsewhere, "--demo-clients", "2"))).rejects.toThrow(
      /must also be valid for 127\.0\.0\.1 or localhost/,
    );
  });
});

describe("npm start again on a saved database", () => {
  /** Starts the CLI's coordinator; its lines go to `lines`. */
  const start = async (args: readonly string[], lines: string[] = []) =>
    (serving = await serve(parseCoordinatorArgs(["--port", "0", "--host", "127.0.0.1", ...args], {}), (l) => lines.push(l)));
  const stop = async () => {
    await serving?.close();
    serving = null;
  };
  const tempDatabase = async () => {
    const dir = await mkdtemp(join(tmpdir(), "fedrec-serve-"));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    return { dir, db: join(dir, "coordinator.sqlite") };
  };

  it("a finished federation is kept aside and a new one starts, with one line saying so; --resume serves the finished one", async () => {
    const { dir, db } = await tempDatabase();
    await start(["--db", db, "--demo-clients", "2", "--rounds", "1", "--code", "OLD111"]);
    const old = serving!.coordinator.find("OLD111")!;
    await waitUntil(() => old.phase === "finished", 30_000, "1 round");
    await stop();

    // Second start, as a newcomer types it: a new federation, not the finished one.
    const second: string[] = [];
    await start(["--db", db], second);
    const [federation, ...others] = serving!.coordinator.all();
    expect(others).toEqual([]);
    expect(federation!.code).not.toBe("OLD111");
    expect(federation!.phase).toBe("waiting");
    const archive = join(dir, "coordinator-OLD111.sqlite");
    expect(second.filter((l) => /OLD111/.test(l))).toEqual([
      `The saved federation OLD111 has finished (1 of 1 rounds): starting a new federation. The finished one is kept in ${archive} (npm start -- --db ${archive} --resume serves it again).`,
    ]);
    expect(second.join("\n")).toMatch(new RegExp(`federation ${federation!.code}: 50 items of synthetic`));
    await stop();

    // --resume serves the finished federation as it was: its best round's tables to late joiners.
    const resumed: string[] = [];
    await start(["--db", archive, "--resume"], resumed);
    expect(serving!.coordinator.all().map((f) => [f.code, f.phase, f.completedRounds])).toEqual([["OLD111", "finished", 1]]);
    expect(resumed[0]).toBe(
      "Serving the saved federation OLD111 (finished, 1 of 1 rounds; --resume): late joiners get its best round's tables.",
    );
  });

  it("an unfinished federation is resumed only when the command line agrees with it; --new keeps it aside", async () => {
    const { db } = await tempDatabase();
    await start(["--db", db]);
    const code = serving!.coordinator.all()[0]!.code;
    await stop();
    const again: string[] = [];
    await start(["--db", db], again);
    expect(again[0]).toBe(`Resuming the saved federation ${code} (waiting, 0 of 100 rounds).`);
    await stop();
    await expect(start(["--db", db, "--items-count", "30"])).rejects.toThrow(
      `The saved federation ${code} (waiting, 0 of 100 rounds) does not match this command line: it recommends 50 items of synthetic(seed=42,users=100,items=50), not 30 items of synthetic(seed=42,users=100,items=30). Continue it as saved with --resume, keep it aside and start a new one with --new, or delete it with --fresh.`,
    );
    await expect(start(["--db", db, "--set", "rounds=7", "--preset", "seed"])).rejects.toThrow(
      /does not match this command line: its settings differ \(rounds 100 → 7, itemDim 33 → 32, scorer "dot" → "mlp", itemInitStd 0.01 → 1, and 9 more\)\. Continue it/,
    );
    const fresh: string[] = [];
    await start(["--db", db, "--new"], fresh);
    expect(fresh[0]).toMatch(
      new RegExp(
        `^Starting a new federation \\(--new\\); the saved federation ${code} \\(waiting, 0 of 100 rounds\\) is kept in`,
      ),
    );
    const newest = serving!.coordinator.all()[0]!.code;
    expect(newest).not.toBe(code);
    await stop();

    // A federation saved before catalogues named their encoder cannot be resumed.
    const raw = new Database(db);
    raw.exec("UPDATE federations SET catalogue = json_remove(catalogue, '$.encoder')");
    raw.close();
    for (const mode of [[], ["--resume"]]) {
      await expect(start(["--db", db, ...mode])).rejects.toThrow(
        `The saved federation ${newest} (waiting, 0 of 100 rounds) was saved by an older version that did not record its encoder, so it cannot be resumed: keep it aside and start a new one with --new, or delete it with --fresh.`,
      );
    }
  });
});
