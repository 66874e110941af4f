import * as vscode from 'vscode';
import { type TelemetrySourceSetting } from '../../app/telemetry/telemetryPipeline';

export type { TelemetrySourceSetting };

/** Typed access to the `slice.telemetry.*` settings, read fresh each time. */
export const telemetrySettings = {
  source(this: void): TelemetrySourceSetting {
    const v = vscode.workspace.getConfiguration('slice.telemetry').get<string>('source', 'mine');
    return v === 'baseline' || v === 'both' ? v : 'mine';
  },
  windowMinutes(this: void): number {
    const v = vscode.workspace.getConfiguration('slice.telemetry').get<number>('window', 5);
    return Math.min(60, Math.max(1, Number.isFinite(v) ? Math.round(v) : 5));
  },
  /** `slice.metrics.regressionThreshold`: a significant slowdown from this relative p95 increase on is a warning. */
  regressionThreshold(this: void): number {
    const v = vscode.workspace.getConfiguration('slice.metrics').get<number>('regressionThreshold', 0.5);
    return typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : 0.5;
  },
  /** `slice.metrics.errorRateThreshold`: a significant error-rate rise of this many points (0.05 = 5 points) on is a warning. */
  errorRateThreshold(this: void): number {
    const v = vscode.workspace.getConfiguration('slice.metrics').get<number>('errorRateThreshold', 0.05);
    return typeof v === 'number' && Number.isFinite(v) && v >= 0 && v <= 1 ? v : 0.05;
  },
  decorations(this: void): boolean {
    return vscode.workspace.getConfiguration('slice.telemetry').get<boolean>('decorations', true);
  },
};
