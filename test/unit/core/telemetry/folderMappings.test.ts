import { test } from 'node:test';
import assert from 'node:assert/strict';
import { type PathMappingEntry, folderMappings } from '../../../../src/core/telemetry/pathMapping';
import { parseWorkspaceConfig } from '../../../../src/core/slice/workspaceConfig';

const join = (root: string, rel: string) => `${root}/${rel}`;
/** A folder's slice.yaml text as the editor reads it: its forks' syncs, or undefined when it does not parse. */
const read = (text: string | undefined) => {
  const parsed = text === undefined ? undefined : parseWorkspaceConfig(text);
  return { text, syncs: parsed === undefined ? [] : parsed.ok ? parsed.config.forks.flatMap((f) => (f.sync ? [f.sync] : [])) : undefined };
};

const GOOD = 'baseline: shop\nforks:\n  - workload: orders\n    sync:\n      local: services/orders\n      container: /srv/orders\n';
const TYPO = 'baseline: shop\nforks:\n  - workload: orders\n    sync:\n      local: services/orders\n     container: /srv/orders\n';

test('issue 20 item 6: a typo in slice.yaml keeps the last good mappings (the telemetry on the code stays); the fix (Undo) gives them again', () => {
  assert.equal(read(TYPO).syncs, undefined, 'the typo does not parse');
  const good = folderMappings('/w', read(GOOD), undefined, join);
  assert.deepEqual(good, { mappings: [{ containerPath: '/srv/orders', localPath: '/w/services/orders' }, { containerPath: '/app', localPath: '/w' }], parsed: true });
  const typo = folderMappings('/w', read(TYPO), good.mappings, join);
  assert.equal(typo.parsed, false);
  assert.deepEqual(typo.mappings, good.mappings, 'not /app alone: the mappings, and so the data shown, do not move');
  const undone = folderMappings('/w', read(GOOD), typo.mappings, join);
  assert.deepEqual(undone.mappings, good.mappings);
});

test('no slice.yaml, or one without sync: /app maps to the folder; a deliberate edit that parses does move the mappings', () => {
  assert.deepEqual(folderMappings('/w', read(undefined), undefined, join).mappings, [{ containerPath: '/app', localPath: '/w' }]);
  const last: PathMappingEntry[] = [{ containerPath: '/srv/orders', localPath: '/w/services/orders' }];
  const moved = folderMappings('/w', read('baseline: shop\nforks:\n  - workload: orders\n    sync:\n      local: ./svc/\n      container: /app\n'), last, join);
  assert.deepEqual(moved.mappings, [{ containerPath: '/app', localPath: '/w/svc' }]);
  assert.deepEqual(folderMappings('/w', read(TYPO), undefined, join).mappings, [{ containerPath: '/app', localPath: '/w' }], 'nothing good seen yet: the default');
});
