/** Entry point of `npm run simulate` (and of `npm start` until the coordinator exists). */
import { UsageError } from "../cli/command-line.ts";
import { parseSimulateArgs, SIMULATE_USAGE } from "../cli/simulate-args.ts";
import { simulate } from "../cli/simulate.ts";

async function main(): Promise<void> {
  try {
    const options = parseSimulateArgs(process.argv.slice(2));
    if (options.help) {
      console.log(SIMULATE_USAGE);
      return;
    }
    await simulate(options);
  } catch (error) {
    const e = error as Error;
    console.error(`simulate: ${e.message}`);
    if (e instanceof UsageError) console.error(`\n${SIMULATE_USAGE}`);
    process.exitCode = e instanceof UsageError || e.name === "ConfigError" || e.name === "DatasetParseError" ? 2 : 1;
  }
}

await main();
