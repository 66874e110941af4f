import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PathMapper, normalizePath } from '../../../../src/core/telemetry/pathMapping';

test('normalizePath: file URLs, ./, .., doubled and Windows separators', () => {
  assert.equal(normalizePath('file:///app/src/a%20b.js'), '/app/src/a b.js');
  assert.equal(normalizePath('file:///C:/work/x.js'), 'C:/work/x.js');
  assert.equal(normalizePath('/app/./src//lib/../a.js'), '/app/src/a.js');
  assert.equal(normalizePath('./src/a.py'), 'src/a.py');
  assert.equal(normalizePath('C:\\work\\svc\\a.js'), 'C:/work/svc/a.js');
  assert.equal(normalizePath('/../../etc/passwd'), '/etc/passwd');
  assert.equal(normalizePath('../x'), '../x');
});

test('the longest container prefix wins; outside every mapping is undefined', () => {
  const m = new PathMapper([
    { containerPath: '/app', localPath: '/home/u/proj/svc' },
    { containerPath: '/app/lib/shared/', localPath: '/home/u/proj/shared' },
  ]);
  assert.deepEqual(m.map('/app/src/index.js'), { localPath: '/home/u/proj/svc/src/index.js', userCode: true });
  assert.equal(m.toLocal('/app/lib/shared/util.js'), '/home/u/proj/shared/util.js');
  assert.equal(m.toLocal('/application/x.js'), undefined); // a prefix only on a segment boundary
  assert.equal(m.toLocal('/usr/lib/node_modules/npm/index.js'), undefined);
  assert.equal(m.toLocal('/proc/self/x'), undefined);
  assert.equal(m.toLocal('/app'), undefined);
  assert.equal(m.toLocal(''), undefined);
  assert.equal(m.toLocal('file:///app/src/a.mjs'), '/home/u/proj/svc/src/a.mjs');
  assert.equal(m.toLocal('/app/src/../../etc/passwd'), undefined);
});

test('relative paths resolve against the first mapping; dependencies map but are not user code', () => {
  const m = new PathMapper([{ containerPath: '/srv/app', localPath: '/home/u/py' }]);
  assert.deepEqual(m.map('./views.py'), { localPath: '/home/u/py/views.py', userCode: true });
  assert.deepEqual(m.map('pkg/models.py'), { localPath: '/home/u/py/pkg/models.py', userCode: true });
  assert.equal(m.map('../outside.py'), undefined);
  assert.deepEqual(m.map('/srv/app/.venv/lib/python3.12/site-packages/flask/app.py')?.userCode, false);
  const n = new PathMapper([{ containerPath: '/app', localPath: '/w' }]);
  assert.equal(n.map('/app/node_modules/express/index.js')?.userCode, false);
});

test('Windows local paths keep backslashes', () => {
  const m = new PathMapper([{ containerPath: '/app', localPath: 'C:\\Users\\u\\svc\\' }]);
  assert.equal(m.toLocal('/app/src/routes/orders.js'), 'C:\\Users\\u\\svc\\src\\routes\\orders.js');
});

test('no mappings map nothing', () => {
  assert.equal(new PathMapper([]).toLocal('/app/a.js'), undefined);
});
