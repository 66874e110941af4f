import * as vscode from 'vscode';

/** A nonce for a webview's Content-Security-Policy: 32 letters and digits from the platform's random source, new on every load. */
export function makeNonce(): string {
  const chars = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  let s = '';
  for (const b of bytes) s += chars[b % chars.length];
  return s;
}

/** What a webview page of Slice's loads: its stylesheet and script (files under `root`), its title and body. */
export interface WebviewPage {
  readonly root: vscode.Uri;
  readonly style: string;
  readonly script: string;
  readonly title: string;
  /** The body's markup before the script. */
  readonly body: string;
  /** Whether the page may show `data:` images (the metrics view's charts allow them). */
  readonly dataImages?: boolean;
}

/**
 * The HTML of a Slice webview (the trace panel, the metrics view): nothing loads but the
 * extension's own stylesheet and script, each with a nonce new on every load, and the page's
 * Content-Security-Policy forbids everything else (`default-src 'none'`, no inline script or style).
 */
export function webviewHtml(webview: vscode.Webview, page: WebviewPage): string {
  const nonce = makeNonce();
  const css = webview.asWebviewUri(vscode.Uri.joinPath(page.root, page.style));
  const js = webview.asWebviewUri(vscode.Uri.joinPath(page.root, page.script));
  const csp = `default-src 'none'; style-src 'nonce-${nonce}'; img-src ${webview.cspSource}${page.dataImages ? ' data:' : ''}; font-src ${webview.cspSource}; script-src 'nonce-${nonce}'`;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" nonce="${nonce}" href="${css.toString()}">
<title>${page.title}</title>
</head>
<body>
${page.body}
<script nonce="${nonce}" src="${js.toString()}"></script>
</body>
</html>`;
}
