// @ts-check
// The trace waterfall webview. No inline handlers: everything is wired here, under the page's CSP nonce.
// Protocol: the page posts {type:'ready'} once loaded and {type:'openSpan', spanId} on a click (or Enter);
// the host posts {type:'trace', trace} (see src/vscode/telemetry/traceModel.ts for the shapes).
(function () {
  /**
   * @typedef {{spanId: string, name: string, depth: number, offsetMs: number, durationMs: number, error: boolean, service: string, location?: string, detail: string, origin?: 'baseline' | 'fork', keyLost?: string}} WaterfallSpan
   * @typedef {{traceId: string, name: string, durationMs: number, errors: number, spanCount: number, dropped: number, routed?: boolean, spans: WaterfallSpan[]}} WaterfallTrace
   */
  // eslint-disable-next-line no-undef
  const vscode = acquireVsCodeApi();
  const summary = /** @type {HTMLElement} */ (document.getElementById('summary'));
  const axis = /** @type {HTMLElement} */ (document.getElementById('axis'));
  const rows = /** @type {HTMLElement} */ (document.getElementById('rows'));

  /** @param {number} ms */
  function fmt(ms) {
    if (ms === 0) return '0';
    if (ms < 1) return ms.toFixed(2) + ' ms';
    if (ms < 1000) return (ms < 10 ? ms.toFixed(1) : Math.round(ms).toString()) + ' ms';
    return (ms / 1000).toFixed(2) + ' s';
  }

  /** @param {string} tag @param {string} cls @param {string} [text] */
  function el(tag, cls, text) {
    const e = document.createElement(tag);
    e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }

  /** @param {WaterfallTrace} t */
  function render(t) {
    const total = t.durationMs > 0 ? t.durationMs : 1;
    summary.replaceChildren(
      el('span', 'title', t.name),
      el('span', 'meta', `${fmt(t.durationMs)} · ${t.spanCount} span${t.spanCount === 1 ? '' : 's'}`),
      el('span', t.errors > 0 ? 'meta errors' : 'meta', `${t.errors} error${t.errors === 1 ? '' : 's'}`),
      el('span', 'meta trace-id', t.traceId),
    );
    if (t.dropped > 0) summary.append(el('span', 'meta', `${t.dropped} spans not kept`));
    // A routed trace crosses the shared baseline and your fork: each row says whose span it is.
    if (t.routed) summary.append(el('span', 'origin baseline', 'baseline'), el('span', 'origin fork', 'fork'));
    axis.replaceChildren();
    axis.append(el('span', 'axis-name', 'Span'));
    const ticks = el('span', 'axis-ticks');
    for (let i = 0; i <= 4; i++) {
      const tick = el('span', 'tick', fmt((total * i) / 4));
      tick.style.left = `${i * 25}%`;
      ticks.append(tick);
    }
    axis.append(ticks);
    rows.replaceChildren();
    let service = '';
    for (const s of t.spans) {
      const row = el('div', s.error ? 'row error' : 'row');
      if (t.routed && s.origin) row.classList.add(s.origin);
      if (s.keyLost) row.classList.add('key-lost');
      row.setAttribute('role', 'listitem');
      row.tabIndex = 0;
      row.title = (s.location ? `${s.detail}\n${s.location} (click to open)` : s.detail) + (t.routed && s.origin ? `\n${s.origin === 'baseline' ? 'the shared baseline' : 'your fork'}` : '') + (s.keyLost ? `\n${s.keyLost}` : '');
      row.dataset.spanId = s.spanId;
      if (s.location) row.classList.add('openable');
      const name = el('div', 'name');
      name.style.paddingLeft = `${6 + s.depth * 14}px`;
      // The span's name gives way (ellipsis, whole in the tooltip) before the service and whose span it is.
      const label = el('div', 'span-name');
      label.append(el('span', 'text', s.name));
      // The service is named where it changes (a call into another service), not on every row.
      if (s.service && s.service !== service) label.append(el('span', 'service', s.service));
      service = s.service;
      if (t.routed && s.origin) label.append(el('span', `origin ${s.origin}`, s.origin));
      if (s.keyLost) label.append(el('span', 'origin key-lost', 'key lost'));
      name.append(label);
      if (s.location) name.append(el('div', 'location', s.location));
      const lane = el('div', 'lane');
      const bar = el('div', 'bar');
      const left = Math.min(100, (Math.max(0, s.offsetMs) / total) * 100);
      bar.style.left = `${left}%`;
      bar.style.width = `${Math.max(0.4, Math.min(100 - left, (s.durationMs / total) * 100))}%`;
      const duration = el('span', 'duration', fmt(s.durationMs));
      if (left > 70) duration.classList.add('before');
      bar.append(duration);
      lane.append(bar);
      row.append(name, lane);
      rows.append(row);
    }
  }

  /** @param {Event} e */
  function open(e) {
    const target = /** @type {HTMLElement | null} */ (e.target instanceof HTMLElement ? e.target.closest('.row') : null);
    if (target && target.dataset.spanId) vscode.postMessage({ type: 'openSpan', spanId: target.dataset.spanId });
  }

  rows.addEventListener('click', open);
  rows.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' || e.key === ' ') {
      e.preventDefault();
      open(e);
    }
  });
  window.addEventListener('message', (e) => {
    const m = e.data;
    if (m && m.type === 'trace' && m.trace) render(/** @type {WaterfallTrace} */ (m.trace));
  });
  vscode.postMessage({ type: 'ready' });
})();
