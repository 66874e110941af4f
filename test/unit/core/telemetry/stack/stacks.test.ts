import { test } from 'node:test';
import assert from 'node:assert/strict';
import { detectRuntime, parseStack } from '../../../../../src/core/telemetry/stack';
import { type StackFrame } from '../../../../../src/core/telemetry/model';
import { fixtureText } from '../fixtures';

const stack = (name: string) => fixtureText(`stacks/${name}`);
const brief = (f: StackFrame) => `${f.function}@${f.file}:${f.line}:${f.column}${f.internal ? ' internal' : ''}${f.async ? ' async' : ''}`;

test('runtime detection by shape', () => {
  const cases: [string, string][] = [
    ['node-cjs.txt', 'node'],
    ['node-esm-async.txt', 'node'],
    ['node-windows.txt', 'node'],
    ['python-chained.txt', 'python'],
    ['python-group.txt', 'python'],
    ['java-caused-by.txt', 'java'],
    ['java-thread.txt', 'java'],
    ['go-panic.txt', 'go'],
    ['go-dump.txt', 'go'],
  ];
  for (const [file, runtime] of cases) assert.equal(detectRuntime(stack(file)), runtime, file);
  assert.equal(detectRuntime('just a message'), 'unknown');
});

test('Node/V8 (CommonJS): named, method, constructor, alias, eval origin, anonymous and internal frames', () => {
  const s = parseStack(stack('node-cjs.txt'));
  assert.equal(s.runtime, 'node');
  assert.equal(s.type, 'TypeError');
  assert.equal(s.message, "Cannot read properties of undefined (reading 'total')");
  assert.deepEqual(s.frames.map(brief), [
    'computeTotal@/app/dist/services/cart.js:27:31',
    'Array.map@:0:0 internal',
    'CartService.checkout@/app/dist/services/cart.js:44:22',
    'new Checkout@/app/dist/checkout.js:9:17',
    'Layer.handle [as handle_request]@/app/node_modules/express/lib/router/layer.js:95:5',
    'next@/app/node_modules/express/lib/router/route.js:149:13',
    'Object.<anonymous>@/app/dist/index.js:12:1',
    'Module._compile@node:internal/modules/cjs/loader:1358:14 internal',
    'eval@/app/dist/template.js:3:10',
    '@/app/dist/routes.js:58:5',
    'process.processTicksAndRejections@node:internal/process/task_queues:95:5 internal',
  ]);
});

test('Node/V8 (ES modules): async frames, file:// URLs (percent-decoded), Promise.all index', () => {
  const s = parseStack(stack('node-esm-async.txt'));
  assert.equal(s.type, 'Error');
  assert.equal(s.message, 'connect ECONNREFUSED 10.96.0.12:5432');
  assert.deepEqual(s.frames.map(brief), [
    'TCPConnectWrap.afterConnect [as oncomplete]@node:net:1607:16 internal',
    'Pool.connect@/app/node_modules/pg-pool/index.js:45:11 async',
    'loadOrder@/app/src/db/orders.mjs:18:20 async',
    'Promise.all@:0:0 internal async',
    '@/app/src/handlers/get order.mjs:7:3 async',
  ]);
});

test('Node/V8 on Windows: drive-letter paths and file:///C:/ URLs', () => {
  const s = parseStack(stack('node-windows.txt'));
  assert.deepEqual(s.frames.map(brief), ['buildRows@C:\\work\\svc\\dist\\report.js:88:15', 'Object.run@C:/work/svc/dist/main.js:5:3']);
});

test('Python: chained exceptions (cause first), most recent frame first, caret lines skipped', () => {
  const s = parsePythonStackFixture('python-chained.txt');
  assert.equal(s.type, 'app.errors.UserLookupError');
  assert.equal(s.message, 'user 42 unavailable');
  assert.deepEqual(s.frames.map(brief), ['fetch_user@/srv/app/db.py:35:0', 'get_user@/srv/app/views.py:58:0', '<module>@/srv/app/main.py:12:0']);
  assert.equal(s.causes.length, 1);
  assert.equal(s.causes[0]!.type, 'psycopg.OperationalError');
  assert.equal(s.causes[0]!.message, 'consuming input failed: server closed the connection unexpectedly');
  assert.deepEqual(s.causes[0]!.frames.map(brief), ['fetchone@/usr/local/lib/python3.12/site-packages/psycopg/cursor.py:845:0', 'fetch_user@/srv/app/db.py:31:0']);
});

function parsePythonStackFixture(name: string) {
  const s = parseStack(stack(name));
  assert.equal(s.runtime, 'python');
  return s;
}

test('Python: frozen frames are internal; 3.11 ~~~^~~~ markers skipped', () => {
  const s = parsePythonStackFixture('python-simple.txt');
  assert.equal(s.type, 'ZeroDivisionError');
  assert.equal(s.message, 'division by zero');
  assert.deepEqual(s.frames.map(brief), ['compute_total@/srv/app/pricing.py:17:0', '_run_module_as_main@<frozen runpy>:198:0 internal']);
});

test('Python: exception groups (| borders) yield the sub-exception with the group as its context', () => {
  const s = parsePythonStackFixture('python-group.txt');
  assert.equal(s.type, 'ValueError');
  assert.equal(s.message, 'bad payload');
  assert.deepEqual(s.frames.map(brief), ['fetch@/srv/app/tasks.py:9:0']);
  assert.equal(s.causes[0]!.type, 'ExceptionGroup');
  assert.deepEqual(s.causes[0]!.frames.map(brief), ['run_all@/srv/app/tasks.py:22:0']);
});

test('Java: package paths, module and class-loader prefixes, Caused by chains, ... N more filled, Suppressed skipped', () => {
  const s = parseStack(stack('java-caused-by.txt'));
  assert.equal(s.runtime, 'java');
  assert.equal(s.type, 'java.lang.IllegalStateException');
  assert.equal(s.message, 'Order 17 has no lines');
  assert.deepEqual(s.frames.map(brief), [
    'com.example.orders.OrderService.total@com/example/orders/OrderService.java:88:0',
    'com.example.orders.OrderController.get@com/example/orders/OrderController.java:41:0',
    'jdk.internal.reflect.DirectMethodHandleAccessor.invoke@jdk/internal/reflect/DirectMethodHandleAccessor.java:103:0 internal',
    'java.lang.reflect.Method.invoke@java/lang/reflect/Method.java:580:0 internal',
    'org.springframework.web.servlet.FrameworkServlet.service@org/springframework/web/servlet/FrameworkServlet.java:885:0',
    'java.lang.Thread.run@java/lang/Thread.java:1583:0 internal',
  ]);
  assert.equal(s.causes.length, 2);
  const [sql, socket] = s.causes;
  assert.equal(sql!.type, 'java.sql.SQLException');
  assert.equal(sql!.frames.length, 8); // 4 own + the last 4 of the enclosing trace
  assert.equal(brief(sql!.frames[1]!), 'jdk.proxy2.$Proxy112.prepareStatement@:0:0 internal');
  assert.equal(brief(sql!.frames[2]!), 'com.example.orders.OrderRepository.lines@com/example/orders/OrderRepository.java:52:0');
  assert.equal(brief(sql!.frames[7]!), 'java.lang.Thread.run@java/lang/Thread.java:1583:0 internal');
  assert.equal(socket!.type, 'java.net.SocketException');
  assert.equal(socket!.message, 'Broken pipe');
  assert.equal(socket!.frames.length, 8); // 2 own + the last 6 of the SQLException's
  assert.equal(brief(socket!.frames[0]!), 'sun.nio.ch.NioSocketImpl.implWrite@:0:0 internal');
  assert.equal(brief(socket!.frames[1]!), 'com.example.orders.Db.write@com/example/orders/Db.java:30:0');
});

test('Java/Kotlin: Exception in thread header', () => {
  const s = parseStack(stack('java-thread.txt'));
  assert.equal(s.type, 'java.lang.NullPointerException');
  assert.equal(s.message, 'Cannot invoke "String.length()" because "name" is null');
  assert.deepEqual(s.frames.map(brief), ['com.example.App.greet@com/example/App.kt:14:0', 'com.example.App.main@com/example/App.kt:6:0']);
});

test('Go: panic message, methods on pointer receivers, arguments stripped, created-by frames, stdlib frames', () => {
  const s = parseStack(stack('go-panic.txt'));
  assert.equal(s.runtime, 'go');
  assert.equal(s.type, 'panic');
  assert.equal(s.message, 'runtime error: index out of range [5] with length 3');
  assert.deepEqual(s.frames.map(brief), [
    'main.(*Server).handleOrder@/app/server.go:88:0',
    'net/http.HandlerFunc.ServeHTTP@/usr/local/go/src/net/http/server.go:2171:0',
    'net/http.serverHandler.ServeHTTP@/usr/local/go/src/net/http/server.go:3142:0',
    'net/http.(*conn).serve@/usr/local/go/src/net/http/server.go:2044:0',
    'net/http.(*Server).Serve@/usr/local/go/src/net/http/server.go:3290:0',
  ]);
  assert.deepEqual(s.otherGoroutines, []);
});

test('Go: goroutine dump with [recovered] panic; the first goroutine is the panicking one, the others kept', () => {
  const s = parseStack(stack('go-dump.txt'));
  assert.equal(s.message, 'order 17: no lines');
  assert.deepEqual(s.frames.map(brief), [
    'github.com/example/orders/internal/store.(*Store).Total@/src/internal/store/store.go:41:0',
    'main.worker@/src/cmd/orders/main.go:27:0',
    'main.main@/src/cmd/orders/main.go:14:0',
  ]);
  assert.deepEqual(
    s.otherGoroutines?.map((g) => [g.id, g.state, g.frames.map(brief)]),
    [
      [1, 'chan receive', ['main.main@/src/cmd/orders/main.go:18:0']],
      [6, 'select', ['runtime.gopark@/usr/local/go/src/runtime/proc.go:424:0 internal', 'main.ticker@/src/cmd/orders/ticker.go:9:0']],
    ],
  );
});

test('unknown text yields no frames, never throws; a hint helps a bare frame list', () => {
  const s = parseStack('something went wrong\nno frames here');
  assert.equal(s.runtime, 'unknown');
  assert.equal(s.frames.length, 0);
  assert.equal(s.message, 'something went wrong');
  const hinted = parseStack('at foo (/app/a.js:1:2)', 'node');
  assert.equal(brief(hinted.frames[0]!), 'foo@/app/a.js:1:2');
});
