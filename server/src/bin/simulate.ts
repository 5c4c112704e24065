/** Entry point of `npm run simulate`. */
import { runCommand } from "../cli/command-line.ts";
import { parseSimulateArgs, SIMULATE_USAGE } from "../cli/simulate-args.ts";
import { simulate } from "../cli/simulate.ts";

await runCommand("simulate", SIMULATE_USAGE, parseSimulateArgs, async (options) => {
  await simulate(options);
});
