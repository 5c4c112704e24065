/** The configuration a command line asks for: preset, then --config FILE, then --set overrides. */
import { readFile } from "node:fs/promises";
import { DEFAULT_CONFIG, PRESETS, resolveConfig, type FederationConfig } from "@fedrec/common";
import { UsageError, type ConfigOptions } from "./command-line.ts";

export async function loadConfig(options: ConfigOptions): Promise<FederationConfig> {
  let config = options.preset ? PRESETS[options.preset] : DEFAULT_CONFIG;
  if (options.configFile !== null) {
    const text = await readFile(options.configFile, "utf8").catch((e: Error) => {
      throw new UsageError(`cannot read --config ${options.configFile}: ${e.message}`);
    });
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (e) {
      throw new UsageError(`--config ${options.configFile} is not valid JSON: ${(e as Error).message}`);
    }
    config = resolveConfig(config, json, options.configFile);
  }
  return resolveConfig(config, options.overrides, "command line");
}
