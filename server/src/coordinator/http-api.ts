/**
 * JSON endpoints for operators, scripts and the dashboard. Public: health and status (counts and
 * metrics, no ids or tokens). Admin (Authorization: Bearer <admin token>): round history, the
 * last user graph, control and settings.
 */
import express, { type Request, type Response, type Router } from "express";
import type { CatalogueItems, ControlAccepted, Federation, Persona, Reply, UserGraph } from "@fedrec/common";
import type { FederationDirectory } from "./socket-gateway.ts";

export interface StatusSource extends FederationDirectory {
  all(): readonly Federation[];
  checkpointChecksum(code: string): string | null;
  unattributedRejections(): Readonly<Record<string, number>>;
  connectedSockets(): number;
  control(code: string, payload: unknown): Reply<ControlAccepted>;
  itemsOf(code: string): CatalogueItems | null;
  joinTokenOf(code: string): string | null;
}

/** Demo personas: dataset user `user`'s profile and ratings, as a persona file. */
export interface PersonaSource {
  readonly count: number;
  persona(user: number): Persona | null;
}

export function httpApi(source: StatusSource, startedAt: number, now: () => number, personas?: PersonaSource): Router {
  const router = express.Router();
  router.use(express.json({ limit: "64kb" }));

  router.get("/healthz", (_req, res) => {
    res.json({ ok: true, uptimeSeconds: Math.round((now() - startedAt) / 1000) });
  });

  router.get("/api/status", (req, res) => {
    const code = typeof req.query.code === "string" ? req.query.code : null;
    const federations = source.all().filter((f) => code === null || f.code === code);
    if (code !== null && federations.length === 0) return void notFound(res, code);
    res.json({
      connections: source.connectedSockets(),
      rejectedBeforeJoin: source.unattributedRejections(),
      federations: federations.map((f) => ({ ...f.status(), checkpointChecksum: source.checkpointChecksum(f.code) })),
    });
  });

  const admin = (handler: (federation: Federation, req: Request, res: Response) => void) => (req: Request, res: Response) => {
    const code = String(req.params.code);
    const federation = source.find(code);
    if (!federation) return void notFound(res, code);
    const header = req.get("authorization") ?? "";
    const token = header.startsWith("Bearer ") ? header.slice("Bearer ".length) : "";
    if (!federation.isAdmin(token)) {
      return void res
        .status(401)
        .json({ ok: false, code: "bad-token", message: "admin endpoints need Authorization: Bearer <admin token>" });
    }
    handler(federation, req, res);
  };

  // The catalogue people browse: for holders of the join link (or the admin).
  router.get("/api/federations/:code/catalogue", (req, res) => {
    const code = String(req.params.code);
    const federation = source.find(code);
    if (!federation) return void notFound(res, code);
    const token = typeof req.query.token === "string" ? req.query.token : "";
    if (!federation.canJoin(token) && !federation.isAdmin(token)) {
      return void res.status(401).json({ ok: false, code: "bad-token", message: "the catalogue needs the join link's token" });
    }
    res.json({ catalogue: federation.catalogue, items: source.itemsOf(code), config: federation.config });
  });

  router.get(
    "/api/federations/:code/invite",
    admin((f, _req, res) => res.json({ code: f.code, joinToken: source.joinTokenOf(f.code) })),
  );
  router.get(
    "/api/federations/:code/clients",
    admin((f, _req, res) => res.json(f.clientStates())),
  );
  router.get(
    "/api/federations/:code/personas",
    admin((_f, _req, res) => res.json({ count: personas?.count ?? 0 })),
  );
  router.get(
    "/api/federations/:code/personas/:user",
    admin((f, req, res) => {
      const persona = personas?.persona(Number(req.params.user));
      if (!persona)
        return void res.status(404).json({ ok: false, code: "malformed", message: `no persona ${String(req.params.user)}` });
      res.setHeader("content-disposition", `attachment; filename="persona-${f.code}-${String(req.params.user)}.json"`);
      res.json(persona);
    }),
  );
  router.get(
    "/api/federations/:code/rounds",
    admin((f, _req, res) => res.json({ config: f.config, rounds: f.history })),
  );
  router.get(
    "/api/federations/:code/graph",
    admin((f, _req, res) => {
      const graph = f.lastGraph;
      const body: UserGraph | null = graph && {
        participants: graph.participants,
        edges: graph.neighbourhood.columns.flatMap((cols, i) =>
          Array.from(cols, (j, p) => [i, j, graph.neighbourhood.weights[i]![p]!] as const),
        ),
      };
      res.json(body);
    }),
  );
  router.post(
    "/api/federations/:code/control",
    admin((f, req, res) => {
      const reply = source.control(f.code, req.body);
      res.status(reply.ok ? 200 : 400).json(reply);
    }),
  );
  // A body that is not JSON gets a JSON error, not express's HTML page.
  router.use((error: Error, _req: Request, res: Response, _next: () => void) => {
    res.status(400).json({ ok: false, code: "malformed", message: `request body: ${error.message}` });
  });
  return router;
}

function notFound(res: Response, code: string): void {
  res.status(404).json({ ok: false, code: "unknown-federation", message: `no federation has the code ${code}` });
}
