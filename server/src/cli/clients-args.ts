/** Command-line options of `npm run clients` (headless clients joining a running coordinator). */
import { DATASET_USAGE, UsageError, datasetOptions, parseCommandLine, positiveInt, type DatasetOptions } from "./command-line.ts";

export interface ClientsCliOptions extends DatasetOptions {
  readonly url: string;
  readonly code: string;
  readonly token: string;
  /** Dataset users first … first + count − 1 become clients. */
  readonly first: number;
  readonly count: number | null;
  readonly help: boolean;
}

export const CLIENTS_USAGE = `Usage: npm run clients -- --url URL --code CODE --token TOKEN [options]

Runs dataset users as headless federated clients (each its own socket connection, its own data and
MiniLM-embedded profile), multiplexed in this process. Profiles are embedded with the encoder the
federation's catalogue names (its pooling). The join link printed by the coordinator can be given
as --url; its code and token are then taken from it.

  --url URL             the coordinator (http://HOST:PORT), or the whole join link
  --code CODE           federation join code
  --token TOKEN         federation join token
  --count N             how many clients (default: every user of the dataset)
  --first U             first dataset user to run (default 0)
${DATASET_USAGE}
  --help
`;

export function parseClientsArgs(argv: readonly string[]): ClientsCliOptions {
  const v = parseCommandLine(
    argv,
    {
      url: { type: "string" },
      code: { type: "string" },
      token: { type: "string" },
      count: { type: "string" },
      first: { type: "string" },
    },
    false,
  );
  const help = v.help === true;
  const rawUrl = v.url as string | undefined;
  let link: URL | null = null;
  if (rawUrl !== undefined) {
    try {
      link = new URL(rawUrl);
    } catch {
      throw new UsageError(`--url must be a URL such as http://127.0.0.1:8080, got "${rawUrl}"`);
    }
  }
  const code = (v.code as string | undefined) ?? link?.searchParams.get("code") ?? null;
  const token = (v.token as string | undefined) ?? link?.searchParams.get("token") ?? null;
  if (!help && (link === null || code === null || token === null)) {
    throw new UsageError("--url, --code and --token are required (or a join link as --url)");
  }
  const firstText = (v.first as string | undefined) ?? "0";
  const first = Number(firstText);
  if (!Number.isInteger(first) || first < 0) throw new UsageError(`--first must be a whole number, got "${firstText}"`);
  return {
    ...datasetOptions(v),
    url: link ? link.origin : "",
    code: code ?? "",
    token: token ?? "",
    first,
    count: positiveInt("--count", v.count as string | undefined),
    help,
  };
}
