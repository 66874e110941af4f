'use strict';
// Runs one service and reloads it in place when its files change:
//
//   node --require ./telemetry/register.js lib/run.js services/orders
//
// In a slice fork, Slice syncs each saved file into services/<svc> in the container. Restarting
// node would cost seconds (the OpenTelemetry SDK alone takes a second or more to load); instead the
// service's modules are dropped from the require cache and the new code's server takes over the
// listening port, in the same process and without dropping a connection: saved → new code serving
// in a few tens of milliseconds. A file that
// does not load (a syntax error) is logged with its stack, and the previous code keeps serving.
const { readdirSync, watch } = require('node:fs');
const { join, relative, resolve, sep } = require('node:path');
const { logger } = require('../telemetry/logger');

const dir = resolve(process.argv[2] || '.');
const entry = join(dir, 'src', 'server.js');
const DEBOUNCE_MS = 30; // a save of several files arrives as several events

let running; // { close(): Promise<void> } of the service's start()
let queue = Promise.resolve();

function loadFresh() {
  for (const id of Object.keys(require.cache)) if (id.startsWith(dir + sep) && !id.includes(`${sep}node_modules${sep}`)) delete require.cache[id];
  return require(entry);
}

async function reload(reason) {
  const started = Date.now();
  let service;
  try {
    service = loadFresh();
  } catch (err) {
    logger.error({ err }, `${reason}: the new code does not load; the previous code keeps serving`);
    return;
  }
  // the new code starts first and takes over the listening port (lib/http.js listen); then the old
  // code's server and store are closed. A new code that fails to start leaves the old one serving.
  let next;
  try {
    next = await service.start();
  } catch (err) {
    if (reason === 'start') throw err;
    logger.error({ err }, `${reason}: the new code does not start; the previous code keeps serving`);
    return;
  }
  const previous = running;
  running = next;
  if (reason !== 'start') logger.info({ ms: Date.now() - started }, `${reason}: reloaded`);
  if (previous) await previous.close();
}

let timer;
const changed = new Set();
function onChange(file) {
  if (!file.endsWith('.js')) return;
  changed.add(file);
  clearTimeout(timer);
  timer = setTimeout(() => {
    const files = [...changed].join(', ');
    changed.clear();
    watchTree(dir); // folders created since
    queue = queue.then(() => reload(`changed ${files}`)).catch((err) => logger.error({ err }, 'reload failed'));
  }, DEBOUNCE_MS);
}

// One watcher per folder: a folder's watcher sees files replaced by rename (as Slice's agent and
// most editors write them), which a watcher on the file itself would lose after the first save.
const watched = new Map();
function watchTree(folder) {
  if (!watched.has(folder)) {
    try {
      watched.set(folder, watch(folder, (_event, name) => name && onChange(relative(dir, join(folder, name.toString())))));
    } catch {
      return; // gone meanwhile
    }
  }
  for (const e of readdirSync(folder, { withFileTypes: true })) if (e.isDirectory() && e.name !== 'node_modules' && !e.name.startsWith('.')) watchTree(join(folder, e.name));
}
watchTree(dir);

queue = reload('start').catch((err) => {
  logger.fatal({ err }, `${dir} could not start`);
  process.exitCode = 1;
});
