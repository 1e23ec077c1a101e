// Inline SVG charts for the HTML report: drawn at render time, so the page needs no script, no
// network and no CDN, and opens anywhere (a CI artefact, an email attachment).
import {xml} from '../render-junit.js'

export interface LineSeries {
  name: string
  points: Array<[number, number]>
  dashed?: boolean
}

export type AxisScale = 'linear' | 'log'

export interface LineChartSpec {
  id: string
  title: string
  xLabel: string
  yLabel: string
  series: LineSeries[]
  /** Vertical markers (timeline events) at x. */
  markers?: Array<{x: number; label: string}>
  /** x ticks as labels (the percentile spectrum's 90%, 99%, …), instead of numbers; the axis runs on to the first tick past the data. */
  xTicks?: Array<{x: number; label: string}>
  /** `log` for values spanning decades (values ≤ 0 sit at its bottom). Default `linear`. */
  xScale?: AxisScale
  yScale?: AxisScale
  /** How y tick labels read (e.g. durations); default a short number. */
  formatY?: (value: number) => string
  /** A sentence under the legend saying how to read the chart. */
  caption?: string
}

const WIDTH = 760
const HEIGHT = 260
const PAD = {left: 64, right: 16, top: 28, bottom: 40}
export const PALETTE = ['#2563eb', '#dc2626', '#16a34a', '#9333ea', '#ea580c', '#0891b2', '#ca8a04', '#db2777']

/** One axis: its scale and range, mapping a value to a share (0..1) of the axis' length. */
interface Axis {
  scale: AxisScale
  lo: number
  hi: number
}

function share(axis: Axis, value: number): number {
  if (axis.scale === 'linear') return (value - axis.lo) / (axis.hi - axis.lo || 1)
  const lo = Math.log10(axis.lo)
  return (Math.log10(Math.max(value, axis.lo)) - lo) / (Math.log10(axis.hi) - lo || 1)
}

/** The x range: the data and markers, run on to the first labelled tick past them. */
function xAxis(spec: LineChartSpec, xs: number[]): Axis {
  const scale = spec.xScale ?? 'linear'
  const usable = scale === 'log' ? xs.filter((x) => x > 0) : xs
  const lo = Math.min(...usable, ...(usable.length === 0 ? [1] : []))
  // A log axis spans at least a decade, a linear one some width, even for a single point.
  let hi = Math.max(...usable, scale === 'log' ? lo * 10 : lo + 1e-9)
  const nextTick = (spec.xTicks ?? [])
    .map((tick) => tick.x)
    .filter((x) => x >= hi)
    .sort((a, b) => a - b)[0]
  if (nextTick !== undefined) hi = nextTick
  return {scale, lo, hi}
}

/** The y range and its ticks: from 0 to a round ceiling, or on a log axis between round values (1, 2 or 5 times a power of ten). */
function yAxis(spec: LineChartSpec, ys: number[]): {axis: Axis; ticks: number[]} {
  if (spec.yScale === 'log') {
    const positive = ys.filter((y) => y > 0)
    const lo = positive.length > 0 ? niceFloor(Math.min(...positive)) : 1
    const hi = Math.max(positive.length > 0 ? niceCeiling(Math.max(...positive)) : 1, lo * 2)
    const decades = Math.log10(hi / lo)
    // 1-2-5 steps while they fit; past three decades, the decades alone (and the ends, unless a decade is close by).
    const steps = decades <= 3 ? [1, 2, 5] : [1]
    const first = Math.floor(Math.log10(lo))
    const inside = Array.from({length: Math.ceil(decades) + 2}, (_, at) =>
      steps.map((step) => Number((10 ** (first + at) * step).toPrecision(6))),
    )
      .flat()
      .filter((y) => y >= lo && y <= hi)
    const near = (a: number, b: number) => Math.abs(Math.log10(a / b)) < 0.25
    const ticks = [lo, ...inside.filter((y) => !near(y, lo) && !near(y, hi)), hi]
    return {axis: {scale: 'log', lo, hi}, ticks}
  }
  const hi = niceCeiling(Math.max(...ys, 0))
  return {axis: {scale: 'linear', lo: 0, hi}, ticks: [0, 1, 2, 3, 4].map((step) => (hi * step) / 4)}
}

export function lineChart(spec: LineChartSpec): string {
  const all = spec.series.flatMap((series) => series.points)
  if (all.length === 0)
    return `<figure class="chart-box" data-chart="${spec.id}"><figcaption>${xml(spec.title)}</figcaption><p class="empty">no data</p></figure>`
  const x = xAxis(spec, [...all.map(([value]) => value), ...(spec.markers ?? []).map((marker) => marker.x)])
  const {axis: y, ticks: yTicks} = yAxis(
    spec,
    all.map(([, value]) => value),
  )
  const sx = (value: number) => PAD.left + share(x, value) * (WIDTH - PAD.left - PAD.right)
  const sy = (value: number) => HEIGHT - PAD.bottom - share(y, value) * (HEIGHT - PAD.top - PAD.bottom)
  const formatY = spec.formatY ?? formatTick
  const parts: string[] = []
  for (const tick of yTicks) {
    parts.push(
      `<line class="grid" x1="${PAD.left}" x2="${WIDTH - PAD.right}" y1="${sy(tick).toFixed(1)}" y2="${sy(tick).toFixed(1)}"/>`,
      `<text class="tick" x="${PAD.left - 6}" y="${(sy(tick) + 4).toFixed(1)}" text-anchor="end">${xml(formatY(tick))}</text>`,
    )
  }
  const xTicks =
    spec.xTicks?.filter((tick) => tick.x >= x.lo && tick.x <= x.hi) ??
    roundSteps(x.lo, x.hi).map((value) => ({x: value, label: formatTick(value)}))
  for (const tick of xTicks) {
    const at = sx(tick.x)
    if (spec.xTicks)
      parts.push(
        `<line class="grid" x1="${at.toFixed(1)}" x2="${at.toFixed(1)}" y1="${PAD.top}" y2="${HEIGHT - PAD.bottom}"/>`,
      )
    // A label at the right edge ends there rather than run off the chart.
    parts.push(
      `<text class="tick" x="${at.toFixed(1)}" y="${HEIGHT - PAD.bottom + 16}" text-anchor="${at > WIDTH - PAD.right - 24 ? 'end' : 'middle'}">${xml(tick.label)}</text>`,
    )
  }
  for (const marker of spec.markers ?? []) {
    const at = sx(marker.x).toFixed(1)
    parts.push(
      `<g class="marker"><line x1="${at}" x2="${at}" y1="${PAD.top}" y2="${HEIGHT - PAD.bottom}"/><text x="${at}" y="${PAD.top - 4}" text-anchor="middle">${xml(marker.label)}</text></g>`,
    )
  }
  spec.series.forEach((series, index) => {
    if (series.points.length === 0) return
    const d = series.points
      .map(([px, py], at) => `${at === 0 ? 'M' : 'L'}${sx(px).toFixed(1)},${sy(py).toFixed(1)}`)
      .join('')
    // The plotted values themselves (x,y in the data's units), for anyone reading the page's source or a test reading its DOM.
    const values = series.points.map(([px, py]) => `${round(px)},${round(py)}`).join(' ')
    parts.push(
      `<path class="line" data-series="${xml(series.name)}" data-points="${values}" d="${d}" stroke="${PALETTE[index % PALETTE.length]}"${series.dashed ? ' stroke-dasharray="5 4"' : ''}><title>${xml(series.name)}</title></path>`,
    )
  })
  parts.push(
    `<text class="axis" x="${(WIDTH + PAD.left) / 2}" y="${HEIGHT - 6}" text-anchor="middle">${xml(spec.xLabel)}</text>`,
    `<text class="axis" transform="translate(14 ${HEIGHT / 2}) rotate(-90)" text-anchor="middle">${xml(spec.yLabel)}</text>`,
  )
  const legend = spec.series
    .map(
      (series, index) =>
        `<span><i style="background:${PALETTE[index % PALETTE.length]}"></i>${xml(series.name)}</span>`,
    )
    .join('')
  const caption = spec.caption ? `<p class="note">${xml(spec.caption)}</p>` : ''
  return `<figure class="chart-box" data-chart="${spec.id}"><figcaption>${xml(spec.title)}</figcaption><svg class="chart" viewBox="0 0 ${WIDTH} ${HEIGHT}" data-x-scale="${x.scale}" data-y-scale="${y.scale}" role="img" aria-label="${xml(spec.title)}">${parts.join('')}</svg><div class="legend">${legend}</div>${caption}</figure>`
}

export interface BarSpec {
  id: string
  title: string
  unit: string
  bars: Array<{group: string; label: string; value: number}>
}

/** Horizontal bars, one row per (group, label). */
export function barChart(spec: BarSpec): string {
  if (spec.bars.length === 0)
    return `<figure class="chart-box" data-chart="${spec.id}"><figcaption>${xml(spec.title)}</figcaption><p class="empty">no data</p></figure>`
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

/** Ticks at multiples of a round step (1, 2, 2.5 or 5 times a power of ten), about five of them between `lo` and `hi`. */
function roundSteps(lo: number, hi: number): number[] {
  const step = niceCeiling((hi - lo) / 5)
  const ticks: number[] = []
  for (let value = Math.ceil(lo / step) * step; value <= hi + step * 1e-9; value += step)
    ticks.push(Number(value.toPrecision(12)))
  return ticks
}

function niceFloor(value: number): number {
  const magnitude = 10 ** Math.floor(Math.log10(value))
  for (const step of [5, 2, 1]) if (step * magnitude <= value) return step * magnitude
  return magnitude
}

function niceCeiling(value: number): number {
  if (value <= 0) return 1
  const magnitude = 10 ** Math.floor(Math.log10(value))
  for (const step of [1, 2, 2.5, 5, 10]) if (step * magnitude >= value) return step * magnitude
  return 10 * magnitude
}

const round = (value: number) => Number(value.toPrecision(4))

function formatTick(value: number): string {
  if (value === 0) return '0'
  if (Math.abs(value) >= 10_000) return `${Number((value / 1000).toPrecision(3))}k`
  return String(Number(value.toPrecision(3)))
}
