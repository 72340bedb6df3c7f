import { html, svg, nothing, type TemplateResult } from 'lit-html';

// Pieces several views draw: status badges, sparklines, notices.

export function badge(state: string): TemplateResult {
  return html`<span class="badge state-${state}" data-state=${state}>${state}</span>`;
}

/** A small line chart of the last points (percent, 0–100) as inline SVG. */
export function sparkline(values: (number | null)[], label: string): TemplateResult {
  const width = 160;
  const height = 36;
  const points = values.map((v, i) => (v === null ? null : [i, v] as const)).filter((p) => p !== null);
  if (points.length < 2) {
    return html`<span class="sparkline spark-empty" title=${label}>no data yet</span>`;
  }
  // Scaled to the largest value seen, so that a component idling at 0.5% still shows its shape.
  const max = Math.max(1, ...points.map(([, v]) => v)) * 1.15;
  const step = width / Math.max(1, values.length - 1);
  const path = points.map(([i, v], n) => `${n === 0 ? 'M' : 'L'}${(i * step).toFixed(1)},${(height - (v / max) * height).toFixed(1)}`).join(' ');
  const last = points.at(-1)![1];
  return html`<span class="sparkline" title=${label}>
    <svg viewBox="0 0 ${width} ${height}" width=${width} height=${height} role="img" aria-label=${label}>
      ${svg`<path d=${path} fill="none" stroke="currentColor" stroke-width="1.5" />`}
    </svg>
    <span class="sparkline-value">${last.toFixed(1)}%</span>
  </span>`;
}

export function notice(kind: 'error' | 'info' | 'warning', text: string | null | undefined): TemplateResult | typeof nothing {
  return text ? html`<div class="notice notice-${kind}" role=${kind === 'error' ? 'alert' : 'status'}>${text}</div>` : nothing;
}

export function check(ok: boolean): TemplateResult {
  return ok ? html`<span class="check yes" aria-label="yes">✓</span>` : html`<span class="check no" aria-label="no">✗</span>`;
}
