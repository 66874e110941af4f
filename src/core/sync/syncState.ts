/** Where a sync stands (the engine's states, shown by the status bar and the tree). */
export type SyncState = 'connecting' | 'reconciling' | 'syncing' | 'idle' | 'disconnected' | 'disposed';
