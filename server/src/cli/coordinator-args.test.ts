import { describe, expect, it } from "vitest";
import { parseClientsArgs } from "./clients-args.ts";
import { parseCoordinatorArgs } from "./coordinator-args.ts";

describe("parseCoordinatorArgs", () => {
  it("takes the port from --port, else PORT, else 8080, and checks it", () => {
    expect(parseCoordinatorArgs([], {}).port).toBe(8080);
    expect(parseCoordinatorArgs([], { PORT: "9001" }).port).toBe(9001);
    expect(parseCoordinatorArgs(["--port", "0"], { PORT: "9001" }).port).toBe(0);
    expect(() => parseCoordinatorArgs(["--port", "70000"], {})).toThrow(/--port \(or PORT\) must be an integer in \[0, 65535\]/);
    expect(() => parseCoordinatorArgs([], { PORT: "http" })).toThrow(/got "http"/);
  });

  it("defaults to the embedded dataset, a resumable database and no demo clients", () => {
    const o = parseCoordinatorArgs([], {});
    expect(o).toMatchObject({
      dataset: "synthetic",
      database: ".data/coordinator.sqlite",
      demoClients: 0,
      host: "0.0.0.0",
      fresh: false,
      resume: false,
      startNew: false,
    });
    expect(parseCoordinatorArgs(["--demo-clients", "5", "--set", "rounds=3"], {})).toMatchObject({
      demoClients: 5,
      overrides: { rounds: 3 },
    });
    expect(() => parseCoordinatorArgs(["--demo-clients", "-1"], {})).toThrow(/--demo-clients/);
    expect(() => parseCoordinatorArgs(["--code", "a b"], {})).toThrow(/--code must be/);
    expect(parseCoordinatorArgs([], {}).tls).toBeNull();
    expect(parseCoordinatorArgs(["--tls-cert", "c.pem", "--tls-key", "k.pem"], {}).tls).toEqual({
      certFile: "c.pem",
      keyFile: "k.pem",
    });
    expect(() => parseCoordinatorArgs(["--tls-key", "k.pem"], {})).toThrow(/--tls-cert and --tls-key go together/);
    expect(() => parseCoordinatorArgs(["--join-token", "short"], {})).toThrow(/--join-token must be/);
    expect(() => parseCoordinatorArgs(["--bogus"], {})).toThrow(/bogus/);
    expect(parseCoordinatorArgs(["--resume"], {})).toMatchObject({ resume: true, startNew: false, fresh: false });
    expect(parseCoordinatorArgs(["--new"], {})).toMatchObject({ resume: false, startNew: true, fresh: false });
    expect(() => parseCoordinatorArgs(["--fresh", "--resume"], {})).toThrow("--fresh and --resume exclude each other");
  });

  it("runs as a cluster gateway with --redis, and refuses what only SQLite or only a gateway has", () => {
    expect(parseCoordinatorArgs([], {})).toMatchObject({ redis: null, advertise: null, leaseMs: null });
    expect(parseCoordinatorArgs(["--redis", "redis://r", "--lease-ms", "10000"], {})).toMatchObject({ leaseMs: 10_000 });
    expect(() => parseCoordinatorArgs(["--lease-ms", "10000"], {})).toThrow(
      "--lease-ms applies to a gateway started with --redis",
    );
    expect(parseCoordinatorArgs(["--redis", "redis://10.0.0.2:6379", "--advertise", "http://10.0.0.5:8081"], {})).toMatchObject({
      redis: "redis://10.0.0.2:6379",
      advertise: "http://10.0.0.5:8081",
    });
    expect(() => parseCoordinatorArgs(["--redis", "10.0.0.2:6379"], {})).toThrow(
      '--redis must be a redis:// URL, got "10.0.0.2:6379"',
    );
    expect(() => parseCoordinatorArgs(["--redis", "redis://r", "--fresh"], {})).toThrow("--fresh applies to the SQLite database");
    expect(() => parseCoordinatorArgs(["--advertise", "http://h:1"], {})).toThrow(
      "--advertise applies to a gateway started with --redis",
    );
    expect(() => parseCoordinatorArgs(["--redis", "redis://r", "--tls-cert", "c.pem", "--tls-key", "k.pem"], {})).toThrow(
      "--tls-cert and --tls-key do not apply to --redis gateways",
    );
  });

  it("--classroom waits for the teacher and sets a lesson's rounds and deadline, under the command line's own settings", () => {
    expect(parseCoordinatorArgs([], {})).toMatchObject({ manualStart: false, overrides: {} });
    expect(parseCoordinatorArgs(["--classroom", "--rounds", "8"], {})).toMatchObject({
      manualStart: true,
      overrides: { rounds: 8, earlyStoppingPatience: 5, roundDeadlineSeconds: 90, quorum: 0.67, minClientsToStart: 2 },
    });
    expect(parseCoordinatorArgs(["--warm-start", "m.ckpt"], {}).warmStart).toBe("m.ckpt");
  });
});

describe("parseClientsArgs", () => {
  it("takes code and token from a join link, or from flags", () => {
    const o = parseClientsArgs([
      "--url",
      "http://10.0.0.5:8080/?code=ABC123&token=tok-tok-tok",
      "--dataset",
      "ml-100k",
      "--count",
      "3",
    ]);
    expect(o).toMatchObject({
      url: "http://10.0.0.5:8080",
      code: "ABC123",
      token: "tok-tok-tok",
      count: 3,
      first: 0,
      dataset: "ml-100k",
    });
    expect(parseClientsArgs(["--url", "http://h:1", "--code", "X1Y2", "--token", "t-t-t-t-t"])).toMatchObject({ code: "X1Y2" });
    expect(() => parseClientsArgs(["--url", "http://h:1"])).toThrow(/--url, --code and --token are required/);
    expect(() => parseClientsArgs(["--url", "not a url", "--code", "A", "--token", "B"])).toThrow(/--url must be a URL/);
  });
});
