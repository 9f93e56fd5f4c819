export interface Bar {
  readonly label: string;
  readonly value: number;
  readonly group: 'broker' | 'other' | 'floor';
}

const COLORS: Record<Bar['group'], string> = { broker: '#0972d3', other: '#8d99a8', floor: '#d1d5db' };

function escape(text: string): string {
  return text.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** A horizontal bar chart as a standalone SVG: small enough to write by hand, readable on GitHub. */
export function barChart(title: string, bars: readonly Bar[]): string {
  const labelWidth = 250;
  const barArea = 420;
  const rowHeight = 30;
  const top = 44;
  const max = Math.max(...bars.map((b) => b.value));
  const height = top + bars.length * rowHeight + 16;
  const rows = bars
    .map((bar, i) => {
      const y = top + i * rowHeight;
      const width = Math.max(2, (bar.value / max) * barArea);
      return (
        `<text x="${labelWidth - 8}" y="${y + 17}" text-anchor="end">${escape(bar.label)}</text>` +
        `<rect x="${labelWidth}" y="${y + 4}" width="${width.toFixed(1)}" height="18" rx="2" fill="${COLORS[bar.group]}"/>` +
        `<text x="${(labelWidth + width + 6).toFixed(1)}" y="${y + 17}">${bar.value.toFixed(0)} ms</text>`
      );
    })
    .join('\n  ');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${labelWidth + barArea + 80}" height="${height}" font-family="system-ui, sans-serif" font-size="13" fill="#16191f">
  <rect width="100%" height="100%" fill="#ffffff"/>
  <text x="12" y="24" font-size="15" font-weight="600">${escape(title)}</text>
  ${rows}
</svg>
`;
}
