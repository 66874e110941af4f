import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SourceMapper, type SourceMapProvider } from '../../../../src/core/telemetry/sourceMaps';
import { PathMapper } from '../../../../src/core/telemetry/pathMapping';
import { Locator } from '../../../../src/core/telemetry/locate';
import { parseStack } from '../../../../src/core/telemetry/stack';
import { fixtureText } from './fixtures';

// sourcemaps/dist/users.js(.map): tsc output of sourcemaps/src/users.ts (make-fixtures.mjs)
const MAP = fixtureText('sourcemaps/dist/users.js.map');

function provider(calls: string[]): SourceMapProvider {
  return {
    get(p) {
      calls.push(p);
      return p === '/home/u/proj/dist/users.js' || p === 'C:\\proj\\dist\\users.js' ? MAP : undefined;
    },
  };
}

test('generated positions trace to the TypeScript source (tsc map), with and without a column', () => {
  const calls: string[] = [];
  const sm = new SourceMapper(provider(calls));
  // users.js:15:15 is `new Error('empty id')` -> users.ts:17
  assert.deepEqual(sm.original('/home/u/proj/dist/users.js', 15, 15), { file: '/home/u/proj/src/users.ts', line: 17, column: 24, name: undefined });
  // no column: the first mapping on the line; users.js:9 `const user = await load(id)` -> users.ts:11
  assert.equal(sm.original('/home/u/proj/dist/users.js', 9, 0)?.line, 11);
  assert.equal(sm.original('/home/u/proj/dist/users.js', 5, 0)?.line, 8);
  assert.equal(sm.original('/home/u/proj/dist/users.js', 9999, 0), undefined);
  assert.equal(sm.original('/home/u/proj/dist/other.js', 1, 1), undefined);
  assert.equal(sm.original('/home/u/proj/src/users.ts', 1, 1), undefined); // not generated: no lookup
  sm.original('/home/u/proj/dist/other.js', 2, 1);
  assert.deepEqual(calls, ['/home/u/proj/dist/users.js', '/home/u/proj/dist/other.js']); // cached, including misses
  sm.invalidate('/home/u/proj/dist/users.js');
  sm.original('/home/u/proj/dist/users.js', 9, 0);
  assert.equal(calls.length, 3);
});

test('Windows generated paths give Windows original paths', () => {
  const sm = new SourceMapper(provider([]));
  assert.equal(sm.original('C:\\proj\\dist\\users.js', 15, 15)?.file, 'C:\\proj\\src\\users.ts');
});

test('a broken map is counted, cached as missing, never thrown', () => {
  const sm = new SourceMapper({ get: () => '{"version":3,"mappings":' });
  assert.equal(sm.original('/a/b.js', 1, 1), undefined);
  assert.equal(sm.original('/a/b.js', 2, 1), undefined);
  assert.equal(sm.failures, 1);
});

test('the map cache is bounded (least recently used evicted)', () => {
  const calls: string[] = [];
  const sm = new SourceMapper({ get: (p) => (calls.push(p), MAP) }, 2);
  sm.original('/x/a.js', 9, 0);
  sm.original('/x/b.js', 9, 0);
  sm.original('/x/a.js', 9, 0);
  sm.original('/x/c.js', 9, 0); // evicts b
  sm.original('/x/a.js', 9, 0);
  sm.original('/x/b.js', 9, 0);
  assert.deepEqual(calls, ['/x/a.js', '/x/b.js', '/x/c.js', '/x/b.js']);
});

test('Locator: container path -> workspace -> TypeScript, and the throw site of a Node stack', () => {
  const loc = new Locator(new PathMapper([{ containerPath: '/app', localPath: '/home/u/proj' }]), new SourceMapper(provider([])));
  assert.deepEqual(loc.resolveCode({ file: '/app/dist/users.js', line: 9, column: undefined, function: 'getUser' }), {
    file: '/home/u/proj/src/users.ts',
    line: 11,
    column: 3,
    function: 'getUser',
    userCode: true,
  });
  const stack = parseStack(
    "Error: empty id\n    at load (/app/dist/users.js:15:15)\n    at getUser (file:///app/dist/users.js:9:24)\n    at process.processTicksAndRejections (node:internal/process/task_queues:95:5)",
  );
  assert.deepEqual(loc.throwSite(stack), { file: '/home/u/proj/src/users.ts', line: 17, column: 24, function: 'load', userCode: true });
  // dependencies and internals are skipped for the throw site
  const dep = parseStack('Error: x\n    at f (/app/node_modules/lib/a.js:1:1)\n    at g (/app/src/b.js:2:3)');
  assert.equal(loc.throwSite(dep)?.file, '/home/u/proj/src/b.js');
  assert.equal(loc.resolveCode({ file: '/elsewhere/a.js', line: 1, column: undefined, function: undefined }), undefined);
  assert.equal(loc.resolveCode({ file: '/app/a.js', line: undefined, column: undefined, function: 'f' }), undefined);
});

test('Locator: a map naming container paths is mapped into the workspace too', () => {
  const abs = JSON.stringify({ ...JSON.parse(MAP), sources: ['/app/src/users.ts'] });
  const loc = new Locator(new PathMapper([{ containerPath: '/app', localPath: '/w' }]), new SourceMapper({ get: () => abs }));
  assert.equal(loc.resolve('/app/dist/users.js', 15, 15, undefined)?.file, '/w/src/users.ts');
});
