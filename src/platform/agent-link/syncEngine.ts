/**
 * The sync engine moved to src/app/sync/syncEngine.ts (orchestration belongs to the app layer).
 * This type-only alias is kept for src/vscode/tree/workloadItems.ts until its owner imports
 * SyncState from src/core/sync/syncState.ts; delete it then.
 */
export type { SyncState } from '../../core/sync/syncState';
