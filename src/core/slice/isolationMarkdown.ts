import { type CheckStatus, type IsolationReport } from './isolation';

const MARK: Record<CheckStatus, string> = { pass: '✅ pass', fail: '❌ FAIL', skip: '➖ skipped', error: '⚠️ error' };

/** The Verify Isolation report as Markdown: a verdict, then one row per check. */
export function isolationReportMarkdown(report: IsolationReport, sliceLabel: string): string {
  const verdict = report.ok
    ? `**Isolated.** ${report.passed} checks passed${report.skipped ? `, ${report.skipped} skipped` : ''}.`
    : `**Not isolated.** ${report.failed} check(s) failed${report.errors ? ` and ${report.errors} could not run` : ''}; ${report.passed} passed.`;
  const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
  const rows = report.results.map((r) => `| ${MARK[r.status]} | ${cell(r.title)} | ${cell(r.message)} | ${cell(r.benchmark)} |`);
  return [
    `# Isolation of slice ${sliceLabel}`,
    '',
    `Checked as **${report.user}** from namespace \`${report.namespace}\`, ${report.startedAt}, in ${(report.durationMs / 1000).toFixed(1)} s.`,
    '',
    verdict,
    '',
    '| Result | Check | What happened | Benchmark (MTB profile level 1) |',
    '|---|---|---|---|',
    ...rows,
    '',
    'Each check is a real request made with your own credentials: reads and writes in other slices, cluster-wide reads,',
    'RBAC self-escalation, changes to your own quota and network policies, and server-side dry-run creations of pods that',
    'Pod Security must reject, plus a real TCP connection attempt from your slice to another slice.',
    '',
  ].join('\n');
}
