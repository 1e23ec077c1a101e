// Inline SVG charts for the HTML report: drawn at render time, so the page needs no script, no
// network and no CDN, and opens anywhere (a CI artefact, an email attachment).
import {xml} from '../render-junit.js'

export interface LineSeries {
  name: string
  points: Array<[number, number]>
  dashed?: boolean
}

export interface LineChartSpec {
  id: string
  title: string
  xLabel: string
  yLabel: string
  series: LineSeries[]
  /** Vertical markers (timeline events) at x. */
  markers?: Array<{x: number; label: string}>
  /** x ticks as labels (the percentile spectrum's 50%, 90%, 99%, …), instead of numbers. */
  xTicks?: Array<{x: number; label: string}>
}

const WIDTH = 760
const HEIGHT = 260
const PAD = {left: 64, right: 16, top: 28, bottom: 40}
export const PALETTE = ['#2563eb', '#dc2626', '#16a34a', '#9333ea', '#ea580c', '#0891b2', '#ca8a04', '#db2777']

export function lineChart(spec: LineChartSpec): string {
  const all = spec.series.flatMap((series) => series.points)
  if (all.length === 0) return `<figure class="chart-box" data-chart="${spec.id}"><figcaption>${xml(spec.title)}</figcaption><p class="empty">no data</p></figure>`
  const xs = [...all.map(([x]) => x), ...(spec.markers ?? []).map((marker) => marker.x)]
  const minX = Math.min(...xs)
  const maxX = Math.max(...xs, minX + 1e-9)
  const maxY = niceCeiling(Math.max(...all.map(([, y]) => y), 0))
  const sx = (x: number) => PAD.left + ((x - minX) / (maxX - minX || 1)) * (WIDTH - PAD.left - PAD.right)
  const sy = (y: number) => HEIGHT - PAD.bottom - (y / (maxY || 1)) * (HEIGHT - PAD.top - PAD.bottom)
  const parts: string[] = []
  for (let step = 0; step <= 4; step++) {
    const y = (maxY * step) / 4
    parts.push(`<line class="grid" x1="${PAD.left}" x2="${WIDTH - PAD.right}" y1="${sy(y).toFixed(1)}" y2="${sy(y).toFixed(1)}"/>`, `<text class="tick" x="${PAD.left - 6}" y="${(sy(y) + 4).toFixed(1)}" text-anchor="end">${formatTick(y)}</text>`)
  }
  const xTicks = spec.xTicks ?? Array.from({length: 6}, (_, index) => {
    const x = minX + ((maxX - minX) * index) / 5
    return {x, label: formatTick(x)}
  })
  for (const tick of xTicks) parts.push(`<text class="tick" x="${sx(tick.x).toFixed(1)}" y="${HEIGHT - PAD.bottom + 16}" text-anchor="middle">${xml(tick.label)}</text>`)
  for (const marker of spec.markers ?? []) {
    const x = sx(marker.x).toFixed(1)
    parts.push(`<g class="marker"><line x1="${x}" x2="${x}" y1="${PAD.top}" y2="${HEIGHT - PAD.bottom}"/><text x="${x}" y="${PAD.top - 4}" text-anchor="middle">${xml(marker.label)}</text></g>`)
  }
  spec.series.forEach((series, index) => {
    if (series.points.length === 0) return
    const d = series.points.map(([x, y], at) => `${at === 0 ? 'M' : 'L'}${sx(x).toFixed(1)},${sy(y).toFixed(1)}`).join('')
    parts.push(`<path class="line" data-series="${xml(series.name)}" d="${d}" stroke="${PALETTE[index % PALETTE.length]}"${series.dashed ? ' stroke-dasharray="5 4"' : ''}><title>${xml(series.name)}</title></path>`)
  })
  parts.push(`<text class="axis" x="${(WIDTH + PAD.left) / 2}" y="${HEIGHT - 6}" text-anchor="middle">${xml(spec.xLabel)}</text>`, `<text class="axis" transform="translate(14 ${HEIGHT / 2}) rotate(-90)" text-anchor="middle">${xml(spec.yLabel)}</text>`)
  const legend = spec.series.map((series, index) => `<span><i style="background:${PALETTE[index % PALETTE.length]}"></i>${xml(series.name)}</span>`).join('')
  return `<figure class="chart-box" data-chart="${spec.id}"><figcaption>${xml(spec.title)}</figcaption><svg class="chart" viewBox="0 0 ${WIDTH} ${HEIGHT}" role="img" aria-label="${xml(spec.title)}">${parts.join('')}</svg><div class="legend">${legend}</div></figure>`
}

export interface BarSpec {
  id: string
  title: string
  unit: string
  bars: Array<{group: string; label: string; value: number}>
}

/** Horizontal bars, one row per (group, label). */
export function barChart(spec: BarSpec): string {
  if (spec.bars.length === 0) return `<figure class="chart-box" data-chart="${spec.id}"><figcaption>${xml(spec.title)}</figcaption><p class="empty">no data</p></figure>`
  const labels = [...new Set(spec.bars.map((bar) => bar.label))]
  const max = Math.max(...spec.bars.map((bar) => bar.value), 1)
  const rowHeight = 20
  const height = spec.bars.length * rowHeight + 10
  const rows = spec.bars.map((bar, index) => {
    const y = 5 + index * rowHeight
    const width = (bar.value / max) * (WIDTH - 260)
    const color = PALETTE[labels.indexOf(bar.label) % PALETTE.length]
    return `<text class="tick" x="150" y="${y + 13}" text-anchor="end">${xml(`${bar.group} · ${bar.label}`)}</text><rect class="bar" x="156" y="${y + 2}" width="${Math.max(width, 1).toFixed(1)}" height="${rowHeight - 6}" fill="${color}"/><text class="tick" x="${(160 + width).toFixed(1)}" y="${y + 13}">${formatTick(bar.value)} ${xml(spec.unit)}</text>`
  })
  return `<figure class="chart-box" data-chart="${spec.id}"><figcaption>${xml(spec.title)}</figcaption><svg class="chart" viewBox="0 0 ${WIDTH} ${height}" role="img" aria-label="${xml(spec.title)}">${rows.join('')}</svg></figure>`
}

function niceCeiling(value: number): number {
  if (value <= 0) return 1
  const magnitude = 10 ** Math.floor(Math.log10(value))
  for (const step of [1, 2, 2.5, 5, 10]) if (step * magnitude >= value) return step * magnitude
  return 10 * magnitude
}

function formatTick(value: number): string {
  if (value === 0) return '0'
  if (Math.abs(value) >= 10_000) return `${Number((value / 1000).toPrecision(3))}k`
  return String(Number(value.toPrecision(3)))
}
