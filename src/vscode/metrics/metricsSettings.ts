import * as vscode from 'vscode';
import { type MetricsViewSettings } from '../../app/telemetry/metricsView';

/** `slice.metrics.window` and `slice.metrics.refreshSeconds`, read fresh each time (package.json has their ranges). */
export const metricsViewSettings: MetricsViewSettings = {
  windowMinutes(this: void): number {
    const v = vscode.workspace.getConfiguration('slice.metrics').get<number>('window', 15);
    return Math.min(30, Math.max(1, typeof v === 'number' && Number.isFinite(v) ? Math.round(v) : 15));
  },
  refreshSeconds(this: void): number {
    const v = vscode.workspace.getConfiguration('slice.metrics').get<number>('refreshSeconds', 5);
    return Math.min(300, Math.max(1, typeof v === 'number' && Number.isFinite(v) ? v : 5));
  },
};
