#!/usr/bin/env node
// The production dependencies' advisories (`npm audit --omit=dev --audit-level=high`), part of
// `npm test`: a high or critical advisory fails unless scripts/dependency-audit-allowlist.json names
// it with a reason and an expiry date (for advisories that have no fix yet). docs/security.md
// "Dependencies" explains the allow-list's rules.
//
// Exit codes: 0 nothing unallowed (or the audit could not run and EVALVAULT_AUDIT_REQUIRED is not
// 1: said loudly), 1 an unallowed or expired finding, 2 the audit could not run while required, or
// the allow-list is malformed.
// Usage: node scripts/dependency-audit.mjs [--allowlist <file>]  (npm's own config, such as
// npm_config_registry, reaches npm audit unchanged)
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const FAILING = new Set(['high', 'critical']);

function main() {
  const allowlistPath = argument('--allowlist') ?? join(root, 'scripts', 'dependency-audit-allowlist.json');
  const allowlist = readAllowlist(allowlistPath);
  const report = runNpmAudit();
  if (!report.auditReportVersion) return notRun(report);

  const today = new Date().toISOString().slice(0, 10);
  const findings = findingsOf(report).map((finding) => judge(finding, allowlist, today));
  const unallowed = findings.filter((f) => !f.allowedBy);
  for (const f of findings) console.log(describe(f));
  for (const entry of allowlist.filter((e) => !findings.some((f) => f.allowedBy === e))) {
    console.log(`allow-list entry ${entry.advisory} (${entry.package}) matches no finding any more: remove it`);
  }
  const counts = report.metadata?.vulnerabilities ?? {};
  console.log(
    `dependency audit: ${findings.length} high or critical advisories in production dependencies, ` +
      `${findings.length - unallowed.length} allow-listed, ${unallowed.length} failing ` +
      `(all severities: ${JSON.stringify(counts)})`,
  );
  process.exitCode = unallowed.length ? 1 : 0;
}

function argument(name) {
  const at = process.argv.indexOf(name);
  return at > 0 ? process.argv[at + 1] : undefined;
}

/** npm audit's JSON report, or its error document when the advisory endpoint could not answer. */
function runNpmAudit() {
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const result = spawnSync(npm, ['audit', '--omit=dev', '--audit-level=high', '--json'], {
    cwd: root,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  try {
    return JSON.parse(result.stdout);
  } catch {
    return { message: `npm audit printed no JSON (exit ${result.status}): ${result.stderr.trim().slice(0, 500)}` };
  }
}

function notRun(error) {
  const why = error.message ?? error.error?.summary ?? JSON.stringify(error).slice(0, 300);
  const required = process.env.EVALVAULT_AUDIT_REQUIRED === '1';
  console.error(`dependency audit NOT RUN: the registry's advisory endpoint did not answer: ${why}`);
  console.error(
    required
      ? 'EVALVAULT_AUDIT_REQUIRED=1: failing.'
      : 'Nothing was checked. Set EVALVAULT_AUDIT_REQUIRED=1 where the endpoint is reachable to make this fail.',
  );
  process.exitCode = required ? 2 : 0;
}

/** One finding per advisory and vulnerable package, from the packages' own advisories (not their dependents'). */
function findingsOf(report) {
  const findings = new Map();
  for (const vulnerability of Object.values(report.vulnerabilities ?? {})) {
    for (const via of vulnerability.via ?? []) {
      if (typeof via !== 'object' || !FAILING.has(via.severity)) continue;
      const advisory = advisoryId(via.url) ?? String(via.source);
      findings.set(`${via.name}|${advisory}`, {
        package: via.name,
        advisory,
        severity: via.severity,
        title: via.title,
        range: via.range,
        url: via.url,
        dependents: vulnerability.effects ?? [],
      });
    }
  }
  return [...findings.values()];
}

const advisoryId = (url) => /GHSA(-[0-9a-z]{4}){3}/i.exec(url ?? '')?.[0];

function judge(finding, allowlist, today) {
  const entry = allowlist.find((e) => e.advisory === finding.advisory && e.package === finding.package);
  if (!entry) return finding;
  if (entry.expires < today) return { ...finding, expired: entry.expires };
  return { ...finding, allowedBy: entry };
}

function describe(f) {
  const what = `${f.severity} ${f.advisory} in ${f.package} ${f.range}: ${f.title} (${f.url})`;
  if (f.allowedBy) return `allowed   ${what}; until ${f.allowedBy.expires}: ${f.allowedBy.reason}`;
  if (f.expired) return `FAILING   ${what}; its allow-list entry expired on ${f.expired}`;
  return `FAILING   ${what}${f.dependents.length ? `; reached through ${f.dependents.join(', ')}` : ''}`;
}

/** The allow-list: [{advisory: "GHSA-…", package, reason, expires: "YYYY-MM-DD"}]; anything else fails loudly. */
function readAllowlist(path) {
  let entries;
  try {
    entries = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    return malformed(path, error.message);
  }
  if (!Array.isArray(entries)) return malformed(path, 'expected a JSON array of entries');
  entries.forEach((entry, index) => {
    const problems = [];
    if (!/^GHSA(-[0-9a-z]{4}){3}$/i.test(entry?.advisory ?? '')) problems.push('advisory must be a GHSA id');
    if (typeof entry?.package !== 'string' || !entry.package) problems.push('package is required');
    if (typeof entry?.reason !== 'string' || entry.reason.trim().length < 10) {
      problems.push('reason must say why (10 characters or more)');
    }
    if (!/^\d{4}-\d{2}-\d{2}$/.test(entry?.expires ?? '')) problems.push('expires must be a date YYYY-MM-DD');
    if (problems.length) malformed(path, `entry ${index}: ${problems.join('; ')}`);
  });
  return entries;
}

function malformed(path, why) {
  console.error(`dependency audit: the allow-list ${path} is malformed: ${why}`);
  process.exit(2);
}

main();
