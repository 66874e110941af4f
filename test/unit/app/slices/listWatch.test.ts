import { test } from 'node:test';
import assert from 'node:assert/strict';
import { nullLogger } from '../../../../src/core/base/logger';
import { ListWatch, type ListWatchSource, type WatchEvent, WatchGoneError } from '../../../../src/app/slices/listWatch';

interface Item {
  readonly name: string;
  readonly rv: string;
  readonly phase?: string;
}

/**
 * A scripted list/watch server: the dependency of the loop under test. Each watch call takes the next
 * script step: events to send, then how the stream ends (server close, 410 Gone, error).
 */
class FakeServer implements ListWatchSource<Item> {
  objects = new Map<string, Item>();
  version = 1;
  readonly calls: string[] = [];
  private waiting: { onEvent: (e: WatchEvent<Item>) => void; end: (e?: Error) => void } | undefined;
  private opened: (() => void)[] = [];

  put(name: string, phase?: string): Item {
    const item = { name, rv: String(++this.version), ...(phase ? { phase } : {}) };
    this.objects.set(name, item);
    return item;
  }

  list(): Promise<{ items: readonly Item[]; resourceVersion: string }> {
    this.calls.push('list');
    return Promise.resolve({ items: [...this.objects.values()], resourceVersion: String(this.version) });
  }

  watch(resourceVersion: string, onEvent: (e: WatchEvent<Item>) => void, signal: AbortSignal): Promise<void> {
    this.calls.push(`watch@${resourceVersion}`);
    return new Promise((resolve, reject) => {
      this.waiting = { onEvent, end: (e) => (e ? reject(e) : resolve()) };
      signal.addEventListener('abort', () => resolve());
      for (const f of this.opened.splice(0)) f();
    });
  }

  /** Resolves once a watch is open. */
  watching(): Promise<void> {
    return this.waiting ? Promise.resolve() : new Promise((r) => this.opened.push(r));
  }

  send(type: WatchEvent<Item>['type'], item: Item): void {
    assert.ok(this.waiting, 'no watch open');
    this.waiting.onEvent({ type, object: item });
  }

  end(error?: Error): void {
    const w = this.waiting;
    this.waiting = undefined;
    w?.end(error);
  }
}

const noSleep = () => Promise.resolve();
function start(server: FakeServer, sleeps: number[] = []): ListWatch<Item> {
  return new ListWatch(server, { what: 'items', keyOf: (i) => i.name, versionOf: (i) => i.rv, logger: nullLogger, sleep: (ms) => (sleeps.push(ms), noSleep()) });
}
const names = (w: ListWatch<Item>) => w.current().map((i) => `${i.name}${i.phase ? `:${i.phase}` : ''}`).sort();

test('lists, then applies added, modified and deleted events from the list version on', async () => {
  const server = new FakeServer();
  server.put('a', 'Provisioning');
  const w = start(server);
  await server.watching();
  assert.deepEqual(names(w), ['a:Provisioning']);
  assert.deepEqual(server.calls, ['list', 'watch@2']);
  server.send('MODIFIED', server.put('a', 'Ready'));
  server.send('ADDED', server.put('b'));
  assert.deepEqual(names(w), ['a:Ready', 'b']);
  server.send('DELETED', { name: 'a', rv: String(++server.version) });
  assert.deepEqual(names(w), ['b']);
  w.dispose();
  await w.done;
});

test('a stream the server ends resumes from the last version seen, without listing again', async () => {
  const server = new FakeServer();
  const w = start(server);
  await server.watching();
  server.send('ADDED', server.put('a'));
  server.send('BOOKMARK', { name: '', rv: '7' });
  server.end();
  await server.watching();
  assert.deepEqual(server.calls, ['list', 'watch@1', 'watch@7']);
  assert.deepEqual(names(w), ['a']);
  w.dispose();
  await w.done;
});

test('410 Gone lists again at once, and what was deleted during the gap is gone from the copy', async () => {
  const server = new FakeServer();
  server.put('a');
  server.put('b');
  const w = start(server);
  await server.watching();
  const changes: string[][] = [];
  w.onDidChange(() => changes.push(names(w)));
  // While the watch was down, b was deleted and c created; the server no longer has our version.
  server.objects.delete('b');
  server.put('c');
  server.end(new WatchGoneError('too old'));
  await server.watching();
  assert.deepEqual(server.calls, ['list', 'watch@3', 'list', 'watch@4']);
  assert.deepEqual(names(w), ['a', 'c']);
  assert.deepEqual(changes, [['a', 'c']]);
  w.dispose();
  await w.done;
});

test('a failed watch backs off, lists again and reports its state meanwhile', async () => {
  const server = new FakeServer();
  server.put('a');
  const sleeps: number[] = [];
  const w = start(server, sleeps);
  await server.watching();
  server.objects.delete('a');
  server.end(new Error('connection reset'));
  await server.watching();
  assert.equal(sleeps.length, 1);
  assert.deepEqual(server.calls, ['list', 'watch@2', 'list', 'watch@2']);
  assert.deepEqual(names(w), []);
  assert.equal(w.status.state, 'live');
  w.dispose();
  await w.done;
});

test('a list that fails is retried after a growing backoff; nothing is shown until it lands', async () => {
  const server = new FakeServer();
  server.put('a');
  let failures = 2;
  const list = server.list.bind(server);
  server.list = () => (failures-- > 0 ? Promise.reject(new Error('refused')) : list());
  const sleeps: number[] = [];
  const w = start(server, sleeps);
  assert.equal(w.synced, false);
  await server.watching();
  assert.equal(w.synced, true);
  assert.equal(sleeps.length, 2);
  assert.ok((sleeps[1] ?? 0) >= (sleeps[0] ?? 0) / 2, `backoff ${sleeps.join(', ')}`);
  assert.deepEqual(names(w), ['a']);
  w.dispose();
  await w.done;
});

test('dispose ends the loop and the open watch', async () => {
  const server = new FakeServer();
  const w = start(server);
  await server.watching();
  w.dispose();
  await w.done;
  assert.deepEqual(server.calls, ['list', 'watch@1']);
});
