/**
 * A small line chart of a few values as an SVG data URI, for a Markdown hover (VS Code renders
 * `![alt](data:image/svg+xml;base64,…)` images; inline SVG it does not). The image cannot follow
 * the editor's theme, so its colours read on light and dark alike: a mid grey line for my slice, a
 * dashed mid blue for the baseline, no background. Gaps (no value that minute) break the line; a
 * value alone is a dot. The scale starts at 0, so the height of the line is the value's size.
 */

export interface SparkSeries {
  /** Oldest first; undefined: no value at that point. */
  readonly values: readonly (number | undefined)[];
  readonly colour: string;
  readonly dashed?: boolean;
}

/** Mid grey and mid blue: contrast of at least 3:1 on white and on VS Code's dark background. */
export const SPARK_COLOURS = { mine: '#808080', baseline: '#3b82c4' } as const;

const WIDTH = 180;
const HEIGHT = 40;
const PAD = 2;

const round = (x: number) => Math.round(x * 10) / 10;

/** The SVG text of the chart; undefined when no series has a value. */
export function sparklineSvg(series: readonly SparkSeries[]): string | undefined {
  let max = 0;
  let any = false;
  let points = 0;
  for (const s of series) {
    points = Math.max(points, s.values.length);
    for (const v of s.values) {
      if (v === undefined || !Number.isFinite(v)) continue;
      any = true;
      if (v > max) max = v;
    }
  }
  if (!any) return undefined;
  const step = points > 1 ? (WIDTH - 2 * PAD) / (points - 1) : 0;
  const y = (v: number) => round(HEIGHT - PAD - (max > 0 ? (v / max) * (HEIGHT - 2 * PAD) : 0));
  const x = (i: number) => round(PAD + i * step);
  const shapes: string[] = [];
  for (const s of series) {
    let run: string[] = [];
    const flush = (last: number) => {
      if (run.length === 1) shapes.push(`<circle cx="${x(last)}" cy="${run[0]!.split(',')[1]}" r="1.5" fill="${s.colour}"/>`);
      else if (run.length > 1) shapes.push(`<polyline points="${run.join(' ')}" fill="none" stroke="${s.colour}" stroke-width="1.5"${s.dashed ? ' stroke-dasharray="3 2"' : ''} stroke-linejoin="round" stroke-linecap="round"/>`);
      run = [];
    };
    s.values.forEach((v, i) => {
      if (v === undefined || !Number.isFinite(v)) return flush(i - 1);
      run.push(`${x(i)},${y(v)}`);
    });
    flush(s.values.length - 1);
  }
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}">${shapes.join('')}</svg>`;
}

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** Base64 of an ASCII string (the SVG above is ASCII only). */
export function base64Ascii(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i += 3) {
    const a = s.charCodeAt(i) & 0xff;
    const b = i + 1 < s.length ? s.charCodeAt(i + 1) & 0xff : 0;
    const c = i + 2 < s.length ? s.charCodeAt(i + 2) & 0xff : 0;
    const n = (a << 16) | (b << 8) | c;
    out += B64[(n >> 18) & 63]! + B64[(n >> 12) & 63]! + (i + 1 < s.length ? B64[(n >> 6) & 63]! : '=') + (i + 2 < s.length ? B64[n & 63]! : '=');
  }
  return out;
}

/** The chart as a `data:` URI for a Markdown image; undefined when there is nothing to draw. */
export function sparklineDataUri(series: readonly SparkSeries[]): string | undefined {
  const svg = sparklineSvg(series);
  return svg === undefined ? undefined : `data:image/svg+xml;base64,${base64Ascii(svg)}`;
}
