import { contentHash } from '../../core/telemetry/contentHash';

/** How the pipeline reads workspace files (the editor's file system in the extension). */
export interface WorkspaceFileReader {
  /** True when `file` is a file; false when it is not or does not exist. */
  isFile(file: string): Promise<boolean>;
  /** The file's text; rejects when it cannot be read. */
  readText(file: string): Promise<string>;
}

/** Files remembered at most, per kind of fact, before the memory starts afresh. */
const MAX_FILES = 20_000;

/**
 * What the telemetry service learns of the workspace files that telemetry points at: whether each
 * exists (relative paths in logs may map to nothing real), and which version of each the slice runs
 * (the saved content when first seen, until a sync acknowledgement or a save says otherwise).
 */
export class WorkspaceFiles {
  private readonly versioned = new Set<string>();
  private readonly existence = new Map<string, boolean>();
  private readonly probing = new Set<string>();

  /** `onLearned` hears of a file whose existence was checked after {@link exists} could not say. */
  constructor(
    private readonly reader: WorkspaceFileReader,
    private readonly onLearned: (file: string) => void,
  ) {}

  /** Whether the file exists: known answers at once; otherwise undefined, and `onLearned` once it has been checked. */
  exists(file: string): boolean | undefined {
    const known = this.existence.get(file);
    if (known !== undefined || this.probing.has(file)) return known;
    this.probing.add(file);
    void this.reader.isFile(file).then(
      (isFile) => this.learned(file, isFile),
      () => this.learned(file, false),
    );
    return undefined;
  }

  private learned(file: string, exists: boolean): void {
    this.probing.delete(file);
    if (this.existence.size > MAX_FILES) this.existence.clear();
    this.existence.set(file, exists);
    this.onLearned(file);
  }

  /** The file's version was given (a sync acknowledgement, a save): it is not read from disk. */
  versionGiven(file: string): void {
    this.versioned.add(file);
  }

  /**
   * Reads the files seen for the first time and gives `setVersion` the hash of their saved content,
   * what the slice runs until sync says otherwise. Files that cannot be read get no version (their
   * data is never marked stale).
   */
  async versionNew(files: Iterable<string>, setVersion: (file: string, version: string) => void): Promise<void> {
    const fresh = new Set<string>();
    for (const f of files) if (!this.versioned.has(f)) fresh.add(f);
    for (const file of fresh) {
      this.versioned.add(file);
      try {
        const text = await this.reader.readText(file);
        setVersion(file, contentHash(text));
        this.existence.set(file, true);
      } catch {
        // not in the workspace (yet)
      }
    }
    if (this.versioned.size > MAX_FILES) this.versioned.clear();
  }

  /** Forgets the versions (a new aggregator knows none). */
  forgetVersions(): void {
    this.versioned.clear();
  }

  /** Forgets which files exist (telemetry cleared). */
  forgetExistence(): void {
    this.existence.clear();
  }
}
