/**
 * A student's first visit, as the classroom Wi-Fi carries it: every byte the page downloads until
 * its profile is embedded (HTTP bodies as sent, i.e. after compression, plus headers). The page
 * loads the federation's encoder — int8 by default — and never the 90 MB fp32 graph.
 */
import { expect, test, type Page } from "@playwright/test";
import { joinWithPersona } from "./client-page.ts";
import { startCoordinator } from "./coordinator-process.ts";

/** The floor a classroom of thirty can afford over one access point. */
const FIRST_VISIT_LIMIT_BYTES = 30e6;

/** Bytes on the wire per URL (Chromium's encodedDataLength: compressed body + headers). */
async function countWireBytes(page: Page): Promise<Map<string, number>> {
  const cdp = await page.context().newCDPSession(page);
  const urls = new Map<string, string>();
  const bytes = new Map<string, number>();
  cdp.on("Network.requestWillBeSent", (e) => urls.set(e.requestId, e.request.url));
  cdp.on("Network.loadingFinished", (e) => {
    const url = urls.get(e.requestId) ?? e.requestId;
    bytes.set(url, (bytes.get(url) ?? 0) + e.encodedDataLength);
  });
  await cdp.send("Network.enable");
  return bytes;
}

test("a first visit downloads at most 30 MB: the int8 encoder, not the fp32 one", async ({ browser }, testInfo) => {
  test.setTimeout(180_000);
  const coordinator = await startCoordinator("FIRST1", ["--users", "20", "--items-count", "40"]);
  try {
    const page = await (await browser.newContext()).newPage();
    const bytes = await countWireBytes(page);
    await joinWithPersona(page, coordinator.joinLink, await coordinator.personaFile(3, testInfo.outputPath("personas")));
    const urls = [...bytes.keys()];
    expect(urls.some((u) => u.endsWith("/onnx/model_quantized.onnx"))).toBe(true);
    expect(urls.some((u) => u.endsWith("/onnx/model.onnx"))).toBe(false);
    const total = [...bytes.values()].reduce((a, b) => a + b, 0);
    const largest = [...bytes.entries()].sort((a, b) => b[1] - a[1]).slice(0, 5);
    const report = largest.map(([u, b]) => `${(b / 1e6).toFixed(2)} MB ${new URL(u).pathname}`).join("\n");
    await testInfo.attach("first-visit-bytes.txt", { body: `total ${(total / 1e6).toFixed(2)} MB\n${report}\n` });
    console.log(`first visit: ${(total / 1e6).toFixed(2)} MB over ${bytes.size} requests\n${report}`);
    expect(total).toBeLessThanOrEqual(FIRST_VISIT_LIMIT_BYTES);
    // The model itself is most of it: a total far below the model's size would mean nothing was counted.
    expect(total).toBeGreaterThan(23e6);
  } finally {
    coordinator.stop();
  }
});
