import { type FileView, type FunctionStats } from '../../core/telemetry';
import { type FunctionCompareOptions } from '../../core/telemetry/aggregate/functionCompare';
import { SOURCE_BASELINE, SOURCE_SLICE } from '../../core/telemetry/model';
import { type TelemetryPipeline } from '../../app/telemetry/telemetryPipeline';
import { telemetrySettings } from './telemetrySettings';

/**
 * The baseline's functions of a file by name, for comparing my slice's functions with them on the
 * lens and in the hover (core/telemetry/aggregate/functionCompare.ts): from the shown views, or from
 * the aggregator when only my slice is shown. Empty when my slice has no view of the file.
 */
export function baselineFunctions(service: TelemetryPipeline, file: string, version: string | undefined, views: readonly FileView[]): ReadonlyMap<string, FunctionStats> {
  if (!views.some((v) => v.source === SOURCE_SLICE)) return new Map();
  const base = views.find((v) => v.source === SOURCE_BASELINE) ?? service.aggregator.query(file, SOURCE_BASELINE, version);
  return new Map(base?.functions.map((f) => [f.function, f]));
}

/** The comparison's thresholds, from the settings. */
export function compareSettings(): FunctionCompareOptions {
  return { regressionThreshold: telemetrySettings.regressionThreshold(), errorRateThreshold: telemetrySettings.errorRateThreshold() };
}
