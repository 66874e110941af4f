// Runs the three services on this machine (loopback ports 8080-8082), each under lib/run.js so a
// saved file reloads its service, until Ctrl-C:   npm start   (inside sample/shop)
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const services = { inventory: 8082, orders: 8081, storefront: 8080 };
const children = Object.entries(services).map(([name, port]) =>
  spawn(process.execPath, ['--require', join(root, 'telemetry', 'register.js'), join(root, 'lib', 'run.js'), join(root, 'services', name)], {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', OTEL_SERVICE_NAME: name },
  }),
);
console.log('storefront on http://127.0.0.1:8080 (Ctrl-C stops)');
const stop = () => children.forEach((c) => c.kill('SIGTERM'));
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
