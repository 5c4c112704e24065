/**
 * HTTPS/WSS over a real socket with a self-signed certificate made in the test: a client that
 * trusts it joins over wss and reads the status over https; one that does not is refused; and
 * nothing is served in clear text on the port.
 */
import { get as httpGet } from "node:http";
import { get as httpsGet } from "node:https";
import { io } from "socket.io-client";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { bagOfWordsIdentity } from "@fedrec/common/testing";
import { PROTOCOL_VERSION } from "@fedrec/common";
import { CODE, JOIN_TOKEN, TEST_PROFILE_DIM, startTestCoordinator, testWorld } from "../testing/live-federation.ts";
import { selfSignedCertificate } from "../testing/self-signed.ts";
import type { Coordinator } from "./coordinator.ts";

const certificate = selfSignedCertificate("DNS:localhost,IP:127.0.0.1");
afterAll(() => certificate.remove());
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function tlsCoordinator(): Promise<Coordinator> {
  const world = await testWorld(2, {}, 30);
  const coordinator = await startTestCoordinator(world, {
    host: "127.0.0.1",
    tls: { cert: certificate.cert, key: certificate.key },
  });
  cleanups.push(() => coordinator.close());
  return coordinator;
}

function fetchText(get: typeof httpsGet, url: string, options: object): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const request = get(url, options, (response) => {
      let body = "";
      response.setEncoding("utf8");
      response.on("data", (chunk: string) => (body += chunk));
      response.on("end", () => resolve({ status: response.statusCode ?? 0, body }));
    });
    request.on("error", reject);
    request.setTimeout(5000, () => request.destroy(new Error("timed out")));
  });
}

describe("the coordinator over TLS", () => {
  it("serves https:// and its status to a client that trusts the certificate", async () => {
    const coordinator = await tlsCoordinator();
    expect(coordinator.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const reply = await fetchText(httpsGet, `${coordinator.url}/api/status`, { ca: certificate.cert });
    expect(reply.status).toBe(200);
    expect(JSON.stringify(JSON.parse(reply.body))).toContain(CODE);
  });

  it("refuses a client that does not trust the certificate, and speaks no plain HTTP on the port", async () => {
    const coordinator = await tlsCoordinator();
    await expect(fetchText(httpsGet, `${coordinator.url}/api/status`, {})).rejects.toThrow(/self[- ]signed certificate/);
    const plain = coordinator.url.replace("https://", "http://");
    await expect(fetchText(httpGet, `${plain}/api/status`, {})).rejects.toThrow();
  });

  it("lets a socket.io client join over wss with the certificate trusted, and not without", async () => {
    const coordinator = await tlsCoordinator();
    const socket = io(coordinator.url, {
      transports: ["websocket"],
      forceNew: true,
      reconnection: false,
      ca: certificate.cert.toString(),
    });
    cleanups.push(() => void socket.disconnect());
    await new Promise<void>((resolve, reject) => {
      socket.once("connect", resolve);
      socket.once("connect_error", reject);
    });
    const welcome = (await socket.timeout(5000).emitWithAck("join", {
      protocol: PROTOCOL_VERSION,
      code: CODE,
      token: JOIN_TOKEN,
      clientId: "client-tls1",
      secret: null,
      numItems: 30,
      profileDim: TEST_PROFILE_DIM,
      encoder: bagOfWordsIdentity(TEST_PROFILE_DIM),
      label: null,
    })) as { secret?: string };
    expect(welcome.secret).toMatch(/^[A-Za-z0-9_-]{8,}$/);

    const untrusting = io(coordinator.url, { transports: ["websocket"], forceNew: true, reconnection: false });
    cleanups.push(() => void untrusting.disconnect());
    const error = await new Promise<Error & { description?: { message?: string } }>((resolve) =>
      untrusting.once("connect_error", resolve),
    );
    // The transport's own error says why: the certificate is not trusted.
    expect(error.description?.message).toMatch(/self[- ]signed certificate/);
  });
});
