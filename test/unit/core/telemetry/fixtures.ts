import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The source directory of the fixtures (tests run from out/test/unit/core/telemetry/). */
export const FIXTURES = join(__dirname, '..', '..', '..', '..', '..', 'test', 'unit', 'core', 'telemetry', 'fixtures');

export function fixtureText(name: string): string {
  return readFileSync(join(FIXTURES, name), 'utf8');
}

export function fixtureBytes(name: string): Uint8Array {
  return new Uint8Array(readFileSync(join(FIXTURES, name)));
}
