/** The usage text of each command, shown by `--help` and after a usage error. */
export const HELP: Record<string, string> = {
  main: `evalvault — evaluate LLM and RAG systems from a terminal or CI

Usage:
  evalvault run <dataset>|--dataset ID[@VERSION] [--metric NAME]... [--gate RULE]... [--gate-file FILE] [--no-wait]
                [--skip-invalid] [--memory] [--junit FILE] [--json FILE] [--markdown FILE]
  evalvault runs list|show|compare|cancel|retry|wait ...
  evalvault report <runId> [--against RUN] [--last N] [--out DIR]
  evalvault datasets validate|push <file>
  evalvault schedules create|list|show|pause|resume|delete ...
  evalvault memory search|show|verify|reject|forget|behaviours|learnings|insights|policy|export|import ...
  evalvault plugins list [--json]
  evalvault login --api-key KEY | --api-key-stdin | --oidc --issuer URL --client-id ID
  evalvault logout

Server: --url or EVALVAULT_URL with EVALVAULT_API_KEY (or EVALVAULT_TOKEN), else the
credentials saved by "evalvault login"; with neither, the embedded platform is started
for the command. Project: --project, EVALVAULT_PROJECT, or "default".

Exit codes: 0 gate passed, or no gate was set (or the command succeeded), 1 gate failed,
2 any error (usage, network, authentication, invalid dataset, run failed or cancelled).

Run "evalvault <command> --help" for a command's options.
`,
  run: `evalvault run <dataset.jsonl|.json|.csv> [options]
       evalvault run --dataset ID[@VERSION] [options]

Submits the dataset's cases inline, with the metrics and gate, and follows the run to its
verdict whenever it has gate rules (also with --wait, a report option, or the embedded
platform): the exit code is then the gate's. --no-wait only submits and says so.
A file too large for one request (over 5,000 cases or ~768 KiB of cases, or refused by the
server's body limit) is registered as a dataset version first, streamed with progress, and
run by reference: any size works.

  --dataset ID[@VERSION]  run a registered dataset version (default: its newest version)

  --metric NAME        metric to score (repeatable, or comma-separated); every metric a
                       gate rule names is scored too
  --gate RULE          gate rule, e.g. "mean(token_f1) >= 0.6" (repeatable)
  --gate-file FILE     rules from a file: one per line (# comments) or JSON ["rule", ...]
                       (or {"rules": [...], "missingBaseline": "pass"})
                       without any rule the run has no gate: exit 0, "no gate was set"
  --missing-baseline fail|pass
                       a "baseline" rule without a baseline run yet (or without scores
                       for its metric there) fails (default) or passes; either way the
                       verdict says "no baseline"
  --memory             use Domain Memory: "baseline" rules compare with memory's learned
                       baseline of the dataset and metric (mean, p10, p50, p90 and
                       pass_rate at 0.5 only) instead of the last passing run, and the
                       results and reports get a Memory section: each metric's trend
                       against it and the failure patterns this run repeats
  --wait               follow the run even without gate rules: progress, results table
  --no-wait            only submit: prints the run id, exit 0 means accepted (no verdict
                       awaited); "evalvault runs wait <id>" follows it later
  --timeout SECONDS    give up waiting after this long (default 3600; exit 2)
  --skip-invalid       submit the valid rows; invalid ones are recorded as failed cases
                       with their line numbers (without it, any invalid row ends with exit 2)
  --name NAME          dataset name (default: the JSON header's name or the file name)
  --label KEY=VALUE    label the run (repeatable), e.g. --label branch=main
  --idempotency-key K  the same key never submits twice (e.g. your CI build id)
  --junit FILE         JUnit XML report (one test per gate rule, one per failed case)
  --json FILE          JSON report: {"run": <run view>, "cases": [...]}
  --markdown FILE      Markdown summary for a pull-request comment
  --url URL, -p/--project ID
`,
  schedules: `evalvault schedules <command>

Scheduled evaluations: a registered dataset (a version, or the latest approved one) run with a
metric set and gate at each slot of a cron expression in a time zone. After downtime a schedule
runs once for the slots it missed. Each run's case scores are compared, paired by case, with the
schedule's previous runs: a significant drop beyond the threshold is a DriftDetected. See docs/schedules.md.

  create --name N --cron EXPR --dataset ID [--version V] --metric M [--metric M…]
         [--tz ZONE] [--gate RULE…] [--drift-threshold X] [--drift-runs N] [--json]
         EXPR: five fields (minute hour day month weekday), or six with seconds first;
         ZONE: IANA (Europe/Paris), default UTC; without --version, the latest approved version
  list [--json]                 the project's schedules, next slot, drifting metrics
  show <schedule> [--json]      one schedule, with its recent runs
  pause <schedule> [--reason R] no runs until resumed (slots meanwhile are skipped)
  resume <schedule>             runs again from the next slot
  delete <schedule>             no more runs (the runs it started stay)

Options: --url URL, -p/--project ID
Exit codes: 0 done, 2 any error (usage, network, authentication, not found, refused).
`,
  runs: `evalvault runs <command>

  list [--status S] [--dataset NAME|ID] [--label K=V] [--limit N] [--json]
  show <runId> [--json]
  compare <baseRunId> <candidateRunId> [--json | --markdown]
                       per metric over the shared cases: mean difference, 95% bootstrap interval,
                       Wilcoxon p-value, effect size; a regression only when significant
  cancel <runId> [--reason TEXT]
  retry <runId> [--all] [--no-wait] [--timeout S] [--junit F] [--json F] [--markdown F]
        (retries the cases that were not evaluated; --all: every case; followed to the
        verdict of the original run's gate unless --no-wait)
  wait <runId> [--timeout S] [--junit F] [--json F] [--markdown F]
        (follows a run to its verdict; exit 0 passed, 1 failed, 2 no verdict)
  --url URL, -p/--project ID
`,
  report: `evalvault report <runId> [options]

Writes the run's release notes as DIR/report.md and DIR/report.html (one self-contained file,
charts as inline SVG): the verdict, each metric's mean over the recent runs on the same dataset,
the significant changes against the baseline (paired statistics of "runs compare"), the cases
that fell most, and the lineage (dataset, prompt, model profile, judge, config hash) of both runs.

  --against RUN   the baseline (default: the latest completed run on the dataset before it)
  --last N        earlier completed runs in the trend (default 5, at most 50)
  -o/--out DIR    where to write (default ./evalvault-report)
  --url URL, -p/--project ID
Exit codes: 0 written (whatever the verdict), 2 any error.
`,
  datasets: `evalvault datasets <command>

  validate <file>                 check every row; exit 2 naming each bad line
  push <file> [--name NAME] [--description TEXT] [--skip-invalid]
                                  register the cases as a new version in the registry
  --url URL, -p/--project ID
`,
  memory: `evalvault memory <command>

Domain Memory: what the project's runs established (facts formed from faithful cases),
reviewed by people, searchable, and forgotten on request. See docs/memory.md.

  search [QUERY] [--domain D] [--kind verified|inferred|contradictory]
         [--status proposed|verified|rejected] [--min-score 0..1] [--usable] [--limit N] [--json]
                       full-text search over the facts, best first (no QUERY: newest first);
                       --usable: only facts the project's policy lets be used as knowledge
  show <factId> [--json]
                       one fact: score, how often and when verified, sources, conflicts
  verify <factId> [--reason TEXT]
                       confirm a fact (approver role); recorded with who, when and why
  reject <factId> --reason TEXT
                       reject a fact (approver role)
  forget --subject TEXT | --document ID
                       deletion request (admin role): every fact and behaviour about the
                       subject, or drawn from the document, removed for good
  behaviours [QUERY] [--min-score 0..1] [--limit N] [--json]
                       what worked: triggers, action recipes, success rates
  learnings [--dataset KEY] [--metric NAME] [--json]
                       baselines per dataset and metric, recurring failure patterns
  insights <runId> [--json]
                       a run against the learned baselines, failure patterns it repeats
  policy [--set FILE [--reason TEXT]] [--json]
                       show the memory policy; --set replaces it from a JSON file (admin)
  export [-o FILE]     the knowledge graph as plain triples JSON
  import <file>        triples (as export writes them) proposed for review
  --url URL, -p/--project ID

Exit codes: 0 done, 2 any error (usage, network, authentication, not found, refused).
`,
  plugins: `evalvault plugins list [--json]

The metric plugins this environment configures (EVALVAULT_PLUGINS, names from node_modules or
paths from the current directory), checked as the runs service checks them at start: version,
plugin-API range, checksum of the package's files (what EVALVAULT_PLUGINS_APPROVED pins, as
name@version=sha256:...), approval, and each metric with its kind; or why it would be refused.
Each plugin's module is loaded in a worker thread, as the service loads it. See docs/plugins.md.

Exit codes: 0 every plugin would load, 2 any would be refused (or a bad setting).
`,
  login: `evalvault login [options]

  --api-key KEY        a project API key (evk_...), checked against the server, then saved
  --api-key-stdin      read the key from standard input (keeps it out of shell history)
  --oidc               sign in with your identity provider in a browser (authorization
                       code + PKCE, redirect to 127.0.0.1)
    --issuer URL       the OIDC issuer (or EVALVAULT_OIDC_ISSUER)
    --client-id ID     the client registered for the CLI (default evalvault-cli)
    --scope SCOPES     default "openid offline_access"
    --resource URI     resource indicator (RFC 8707) for the access token's audience
    --no-browser       only print the sign-in URL
    --timeout SECONDS  how long to wait for the browser (default 300)
  --url URL            the server (or EVALVAULT_URL); -p/--project ID (default "default")

Credentials are saved to $XDG_CONFIG_HOME/evalvault/credentials.json (mode 0600).
`,
  logout: `evalvault logout — removes the saved credentials\n`,
};

export function showHelp(io: { stdout: { write(text: string): unknown } }, command: keyof typeof HELP | string): 0 {
  io.stdout.write(HELP[command] ?? HELP['main']!);
  return 0;
}
