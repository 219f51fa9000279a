/**
 * The run report: one JSON document (for machines and CI) and one Markdown page (for people) per
 * sync, saved as `sync-<run id>.{json,md}` plus `latest.{json,md}`. It says what was built, what
 * was skipped and why, what failed and why (with the build log), how each sdist's signature was
 * checked, which versions changed, and what the distro provides instead.
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { ErrorCode } from '../../lib/errors.js';
import { mask } from '../../lib/log.js';
import { writeFileAtomic } from '../../lib/fs/atomic.js';
import type { Conflict } from './closure.js';

export type OutcomeStatus = 'built' | 'skipped' | 'failed';

export interface PackageOutcome {
  name: string;
  version: string;
  status: OutcomeStatus;
  /** Why it was skipped or failed; for built packages, why it was (re)built. */
  reason: string;
  code?: string;
  logPath?: string;
  previousVersion?: string;
  packageVersion?: string;
  signature?: { status: string; signer?: string; attestedBy?: string };
  files?: string[];
}

export interface TargetReport {
  target: string;
  imageId?: string;
  packages: PackageOutcome[];
  /** Dependencies left to the distro: project → distro package and version. */
  fromDistro: { project: string; binary: string; distroVersion: string; requiredBy: string[] }[];
  conflicts: Conflict[];
  excluded: { requirement: string; source: string; marker: string }[];
  brokenCycles: string[];
  published: string[];
  pruned: string[];
  /** A failure of the whole target (image, archive index, publishing). */
  error?: { code: ErrorCode; message: string };
}

export interface SyncReport {
  schema: 1;
  runId: string;
  tool: string;
  startedAt: string;
  finishedAt: string;
  durationMs: number;
  ok: boolean;
  containersStarted: number;
  targets: TargetReport[];
  summary: { built: number; skipped: number; failed: number; versionsChanged: number };
  reportFiles?: { json: string; markdown: string };
  /** The trust lock this run checked and extended. */
  trustLock?: string;
}

export function summarise(targets: TargetReport[]): SyncReport['summary'] {
  const all = targets.flatMap((t) => t.packages);
  return {
    built: all.filter((p) => p.status === 'built').length,
    skipped: all.filter((p) => p.status === 'skipped').length,
    failed: all.filter((p) => p.status === 'failed').length + targets.filter((t) => t.error).length,
    versionsChanged: all.filter((p) => p.status === 'built' && p.previousVersion && p.previousVersion !== p.version).length,
  };
}

const cell = (s: string | undefined): string => (s ?? '').replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');

export function reportMarkdown(r: SyncReport): string {
  const lines = [
    `# py2distro sync ${r.runId}`,
    '',
    `${r.ok ? 'OK' : '**FAILED**'} — ${r.summary.built} built, ${r.summary.skipped} skipped, ${r.summary.failed} failed, ` +
      `${r.summary.versionsChanged} version(s) changed; ${r.containersStarted} container(s) started; ` +
      `${(r.durationMs / 1000).toFixed(1)} s (py2distro ${r.tool}, ${r.startedAt}).`,
    ...(r.trustLock ? ['', `Trust lock: \`${r.trustLock}\` (who vouched for each project; a change is refused until \`py2distro trust accept NAME\`).`] : []),
  ];
  for (const t of r.targets) {
    lines.push('', `## ${t.target}`, '');
    if (t.imageId) lines.push(`Builder image: \`${t.imageId.slice(0, 19)}\``, '');
    if (t.error) lines.push(`**Target failed** [${t.error.code}]: ${cell(t.error.message)}`, '');
    if (t.packages.length) {
      lines.push('| package | version | status | why | signature | log |', '|---|---|---|---|---|---|');
      for (const p of t.packages) {
        const version = p.previousVersion && p.previousVersion !== p.version ? `${p.previousVersion} → ${p.version}` : p.version;
        const sig = p.signature
          ? [`${p.signature.status}${p.signature.signer ? ` ${p.signature.signer}` : ''}`, p.signature.attestedBy && `attested by ${p.signature.attestedBy}`].filter(Boolean).join(', ')
          : '';
        lines.push(`| ${cell(p.name)} | ${cell(version)} | ${p.status} | ${cell(p.code ? `[${p.code}] ${p.reason}` : p.reason)} | ${cell(sig)} | ${cell(p.logPath)} |`);
      }
    }
    if (t.fromDistro.length) {
      lines.push('', 'Provided by the distribution:', '');
      for (const d of t.fromDistro) lines.push(`- ${d.project} → \`${d.binary}\` ${d.distroVersion} (needed by ${d.requiredBy.join(', ')})`);
    }
    if (t.conflicts.length) {
      lines.push('', 'Conflicts:', '');
      for (const c of t.conflicts) {
        const what = c.kind === 'name-clash'
          ? `${c.project}'s package name is used by the distro for ${c.owner}`
          : `${c.project}${c.required} required, distro has ${c.distro?.binary} ${c.distro?.distroVersion}`;
        lines.push(`- ${what} → ${c.decision === 'build' ? 'built ours' : 'failed'} (needed by ${c.requiredBy.join(', ')})`);
      }
    }
    for (const e of t.excluded) lines.push(`- ${e.requirement} (${e.source}) not for this target: \`${e.marker}\``);
    for (const c of t.brokenCycles) lines.push(`- dependency cycle broken at ${c}`);
    if (t.published.length) lines.push('', `Published: ${t.published.map((f) => `\`${f}\``).join(', ')}`);
    if (t.pruned.length) lines.push('', `Pruned (retention): ${t.pruned.map((f) => `\`${f}\``).join(', ')}`);
  }
  return mask(lines.join('\n')) + '\n';
}

/** Write the report files (atomically) and return their paths. */
export async function writeReport(dir: string, report: SyncReport): Promise<{ json: string; markdown: string }> {
  await mkdir(dir, { recursive: true });
  const json = path.join(dir, `sync-${report.runId}.json`);
  const markdown = path.join(dir, `sync-${report.runId}.md`);
  const withFiles: SyncReport = { ...report, reportFiles: { json, markdown } };
  const jsonText = mask(JSON.stringify(withFiles, null, 2)) + '\n';
  const mdText = reportMarkdown(withFiles);
  for (const [file, text] of [[json, jsonText], [markdown, mdText], [path.join(dir, 'latest.json'), jsonText], [path.join(dir, 'latest.md'), mdText]]) {
    await writeFileAtomic(file, text);
  }
  return { json, markdown };
}
