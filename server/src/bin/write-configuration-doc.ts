/** `npm run docs:config`: rewrites docs/configuration.md from the schema. */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { REPO_ROOT } from "../cli/dataset-location.ts";
import { configurationDoc } from "../docs/configuration-doc.ts";

writeFileSync(join(REPO_ROOT, "docs", "configuration.md"), configurationDoc());
