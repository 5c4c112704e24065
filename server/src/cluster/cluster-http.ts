/**
 * HTTP on a cluster gateway. Any gateway answers health, `/api/cluster` and a federation's
 * catalogue (what a browser needs before it joins; read from the setup in Redis). The rest of the
 * API (status, admin endpoints: coordinator/http-api.ts) needs the round machines: the leader
 * serves it, other gateways forward the request to the leader's advertised address, so a load
 * balancer may send the dashboard anywhere.
 */
import express, { type Request, type Response, type Router } from "express";
import type { Redis } from "ioredis";
import type { Credentials, FederationSetup } from "@fedrec/common";
import { LEADER_URL_KEY } from "./redis-keys.ts";

export interface ClusterHttpSource {
  readonly setups: ReadonlyMap<string, FederationSetup>;
  readonly credentials: Credentials;
  readonly redis: Redis;
  /** The leader's API router when this gateway leads; null otherwise. */
  leaderApi(): Router | null;
  /** This gateway, whether it leads, connections here (and the federations' status, on the leader). */
  describe(): object;
}

export function clusterHttp(source: ClusterHttpSource): Router {
  const router = express.Router();
  router.get("/healthz", (_req, res) => void res.json({ ok: true }));
  router.get("/api/cluster", (_req, res) => void res.json(source.describe()));
  router.get("/api/federations/:code/catalogue", (req, res) => {
    const setup = source.setups.get(String(req.params.code));
    if (!setup) return void res.status(404).json(unknown(String(req.params.code)));
    const token = typeof req.query.token === "string" ? req.query.token : "";
    const { sameToken } = source.credentials;
    if (!sameToken(token, setup.joinToken) && !sameToken(token, setup.adminToken)) {
      return void res.status(401).json({ ok: false, code: "bad-token", message: "the catalogue needs the join link's token" });
    }
    res.json({ catalogue: setup.catalogue, items: setup.items });
  });
  const json = express.json({ limit: "64kb" });
  router.use((req, res, next) => {
    if (!req.path.startsWith("/api/")) return next();
    const api = source.leaderApi();
    if (api) return void api(req, res, next);
    json(req, res, (error?: unknown) =>
      error
        ? void res.status(400).json({ ok: false, code: "malformed", message: `request body: ${String(error)}` })
        : void forwardToLeader(source.redis, req, res),
    );
  });
  return router;
}

async function forwardToLeader(redis: Redis, req: Request, res: Response): Promise<void> {
  const unavailable = (why: string) =>
    void res.status(503).json({ ok: false, code: "unavailable", message: `${why}; retry in a few seconds` });
  let leader: string | null;
  try {
    leader = await redis.get(LEADER_URL_KEY);
  } catch (error) {
    return unavailable(`Redis is unreachable (${(error as Error).message})`);
  }
  if (leader === null) return unavailable("no aggregation leader right now");
  const authorization = req.get("authorization");
  const hasBody = req.method !== "GET" && req.method !== "HEAD";
  try {
    const answer = await fetch(new URL(req.originalUrl, leader), {
      method: req.method,
      headers: { ...(authorization && { authorization }), ...(hasBody && { "content-type": "application/json" }) },
      ...(hasBody && { body: JSON.stringify(req.body ?? {}) }),
      signal: AbortSignal.timeout(10_000),
    });
    res.status(answer.status);
    const type = answer.headers.get("content-type");
    const disposition = answer.headers.get("content-disposition");
    if (type) res.setHeader("content-type", type);
    if (disposition) res.setHeader("content-disposition", disposition);
    res.send(Buffer.from(await answer.arrayBuffer()));
  } catch (error) {
    unavailable(`the aggregation leader at ${leader} did not answer (${(error as Error).message})`);
  }
}

function unknown(code: string) {
  return { ok: false, code: "unknown-federation", message: `no federation has the code ${code}` };
}
