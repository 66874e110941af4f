import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The source directory of the metric fixtures (tests run from out/test/unit/core/telemetry/metrics/). */
export const METRIC_FIXTURES = join(__dirname, '..', '..', '..', '..', '..', '..', 'test', 'unit', 'core', 'telemetry', 'metrics', 'fixtures');

export function fixtureText(name: string): string {
  return readFileSync(join(METRIC_FIXTURES, name), 'utf8');
}

export function fixtureBytes(name: string): Uint8Array {
  return new Uint8Array(readFileSync(join(METRIC_FIXTURES, name)));
}
