/** Entry point of `npm run baselines`. */
import { BASELINES_USAGE, parseBaselinesArgs } from "../cli/baselines-args.ts";
import { runBaselines } from "../cli/baselines.ts";
import { runCommand } from "../cli/command-line.ts";

await runCommand("baselines", BASELINES_USAGE, parseBaselinesArgs, async (options) => {
  await runBaselines(options);
});
