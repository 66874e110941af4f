import { join, resolve } from 'node:path';
import { runTests } from '@vscode/test-electron';

/**
 * The same integration suite in desktop VS Code, through @vscode/test-electron, for machines that
 * can download VS Code. CI here cannot (no download site is reachable), so CI uses the code-server
 * runner (runIntegration.ts) with the very same suite.
 *
 *   npm run test:integration:electron
 */
async function main(): Promise<number> {
  const root = resolve(__dirname, '..', '..', '..');
  try {
    return await runTests({
      version: process.env.SLICE_VSCODE_VERSION ?? 'stable',
      extensionDevelopmentPath: root,
      extensionTestsPath: join(root, 'out', 'test', 'integration', 'index.js'),
      launchArgs: [join(root, 'test', 'workspace'), '--disable-extensions', '--disable-workspace-trust'],
    });
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    if (/ENOTFOUND|EAI_AGAIN|ECONNREFUSED|getaddrinfo/.test(message)) {
      console.error(`VS Code desktop could not be downloaded (${message}). On a machine without access to the VS Code download site, run the same suite in code-server: npm run test:integration`);
    } else {
      console.error(`The desktop VS Code run failed: ${message}`);
    }
    return 1;
  }
}

void main().then((code) => process.exit(code));
