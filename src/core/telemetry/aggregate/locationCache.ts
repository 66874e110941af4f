import { type Locator, type WorkspaceLocation } from '../locate';

/** Reported locations cached at most (then the cache starts again). */
const CACHE_LIMIT = 20_000;

/** The aggregator's cache of where reported locations are in the workspace: user code only. */
export class LocationCache {
  private readonly locations = new Map<string, Map<number, WorkspaceLocation | null>>();
  private locationCount = 0;

  constructor(private readonly locator: Locator) {}

  /** Resolves through the Locator, cached per reported (file, line, column); the function is the caller's to pick (reported first). */
  resolve(file: string, line: number, column: number): WorkspaceLocation | undefined {
    let byLine = this.locations.get(file);
    if (!byLine) {
      if (this.locationCount >= CACHE_LIMIT) {
        this.locations.clear();
        this.locationCount = 0;
      }
      byLine = new Map();
      this.locations.set(file, byLine);
    }
    const key = line * 4096 + (column < 4096 ? column : 4095);
    let loc = byLine.get(key);
    if (loc === undefined) {
      loc = this.locator.resolve(file, line, column, undefined) ?? null;
      byLine.set(key, loc);
      this.locationCount++;
    }
    return loc && loc.userCode ? loc : undefined;
  }

  clear(): void {
    this.locations.clear();
    this.locationCount = 0;
  }
}
