/**
 * A round-robin TCP load balancer on 127.0.0.1 for cluster tests: each new connection goes to the
 * next backend; a backend that refuses is skipped, so clients of a killed gateway reconnect to a
 * live one — as behind a real load balancer.
 */
import { createConnection, createServer, type Socket } from "node:net";

export interface TcpBalancer {
  readonly url: string;
  close(): Promise<void>;
}

export async function startTcpBalancer(backendPorts: readonly number[]): Promise<TcpBalancer> {
  let next = 0;
  const open = new Set<Socket>();
  const server = createServer((client) => {
    open.add(client);
    client.on("close", () => open.delete(client));
    client.pause();
    const attempt = (tries: number) => {
      if (tries === backendPorts.length) return void client.destroy();
      const port = backendPorts[next++ % backendPorts.length]!;
      const backend = createConnection({ port, host: "127.0.0.1" });
      let connected = false;
      backend.on("error", () => (connected ? client.destroy() : attempt(tries + 1)));
      backend.once("connect", () => {
        connected = true;
        open.add(backend);
        backend.on("close", () => open.delete(backend));
        client.on("error", () => backend.destroy());
        backend.on("close", () => client.destroy());
        client.on("close", () => backend.destroy());
        client.pipe(backend);
        backend.pipe(client);
        client.resume();
      });
    };
    attempt(0);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    async close() {
      for (const socket of open) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
