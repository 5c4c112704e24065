/** Driving one client page, and recording everything it sends (for the privacy audit). */
import { expect, type Page } from "@playwright/test";

export interface SentRecord {
  readonly kind: "websocket-text" | "websocket-binary" | "http-body" | "request";
  readonly url: string;
  readonly data: string | Buffer;
}

export function recordOutgoing(page: Page): SentRecord[] {
  const sent: SentRecord[] = [];
  page.on("websocket", (ws) => {
    ws.on("framesent", ({ payload }) =>
      sent.push({ kind: typeof payload === "string" ? "websocket-text" : "websocket-binary", url: ws.url(), data: payload }),
    );
  });
  page.on("request", (request) => {
    sent.push({ kind: "request", url: request.url(), data: "" });
    const body = request.postDataBuffer();
    if (body) sent.push({ kind: "http-body", url: request.url(), data: body });
  });
  return sent;
}

/** Opens the join link, loads a persona file, waits for the on-device embedding, joins. */
export async function joinWithPersona(page: Page, joinLink: string, personaPath: string): Promise<void> {
  await page.goto(joinLink);
  await page.getByTestId("persona-file").setInputFiles(personaPath);
  await expect(page.getByTestId("embedding-state")).toHaveText("embedded on this device ✓", { timeout: 60_000 });
  await page.getByTestId("join").click();
  await expect(page.getByTestId("phase")).not.toHaveText("not joined");
}
