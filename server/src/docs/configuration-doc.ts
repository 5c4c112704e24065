/**
 * Renders docs/configuration.md from the configuration schema, so the page can never drift from
 * the code (a test compares them; `npm run docs:config` rewrites it).
 */
import * as v from "valibot";
import { CONFIG_FIELDS, CONFIG_KEYS, DEFAULT_CONFIG, NEIGHBOURHOOD_SHORTHANDS, PRESETS } from "@fedrec/common";

const show = (value: unknown) => (value === null ? "null" : JSON.stringify(value));

export function configurationDoc(): string {
  const presetNames = Object.keys(PRESETS) as (keyof typeof PRESETS)[];
  const defaultName = presetNames.find((name) => PRESETS[name] === DEFAULT_CONFIG) ?? "custom";
  const header = `| setting | ${presetNames.map((n) => `\`${n}\``).join(" | ")} | meaning |`;
  const rule = `|---|${presetNames.map(() => "---").join("|")}|---|`;
  const rows = CONFIG_KEYS.map(
    (key) =>
      `| \`${key}\` | ${presetNames.map((n) => `\`${show(PRESETS[n][key])}\``).join(" | ")} | ${v.getDescription(CONFIG_FIELDS[key])} |`,
  );
  const shorthands = Object.entries(NEIGHBOURHOOD_SHORTHANDS).map(([key, schema]) => `- \`${key}\`: ${v.getDescription(schema)}`);
  return [
    "# Configuration",
    "",
    "<!-- Generated from common/src/config by `npm run docs:config`; a unit test keeps it current. -->",
    "",
    `One configuration drives the simulator and the coordinator. The default is the \`${defaultName}\` preset.`,
    "Give settings with `--preset NAME`, `--config run.json` (a JSON object) and `--set KEY=VALUE`, applied in that order.",
    "Unknown keys, out-of-range values and contradictory settings (e.g. `neighbourhoodSize` with a `dense` neighbourhood)",
    "are errors that name the setting and what is allowed.",
    "",
    header,
    rule,
    ...rows,
    "",
    "Settings changes (a `--config` file, `--set`, the dashboard) also take these shorthands, which set the",
    "parameter of the neighbourhood rule (`--set neighbourhood=topk --set neighbourhoodSize=5`):",
    "",
    ...shorthands,
    "",
  ].join("\n");
}
