/** A nonce for a webview's Content-Security-Policy: 32 letters and digits from the platform's random source, new on every load. */
export function makeNonce(): string {
  const chars = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  let s = '';
  for (const b of bytes) s += chars[b % chars.length];
  return s;
}
