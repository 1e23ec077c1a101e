// The self-contained HTML report: one file with inline CSS and inline SVG charts drawn at render
// time (no CDN, no network), the verdict first, then per variant the overview (percentile spectrum of
// every series, throughput and errors), latency over time per series with the timeline marked,
// retries and amplification, server counters (as rates) and gauges (and a note for a queue or
// consumer lag that grew, backlog.ts); then quota.
import {describeBacklog, grownBacklogs} from '../measure/backlog.js'
import {sendLagText} from '../measure/summary-text.js'
import {formatDuration} from '../text/duration.js'
import {evidenceText, notApplicableLine, statusWord, verdictHeadline} from '../sla/verdict-text.js'
import {
  cascade,
  latencyOverTime,
  percentileSpectrum,
  quotaCharts,
  retriesAndAmplification,
  serverFigures,
  throughputAndErrors,
} from './html/charts.js'
import {publishedComparison} from './published-figures.js'
import {xml} from './render-junit.js'
import type {RunRecord} from './run-record.js'

const STYLE = `body{font:14px/1.45 system-ui,sans-serif;margin:24px auto;max-width:1600px;color:#111;padding:0 16px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:18px;margin:28px 0 8px;border-bottom:1px solid #ddd}
.verdict{padding:10px 14px;border-radius:6px;font-weight:600;margin:12px 0}.pass{background:#dcfce7}.inconclusive,.no-data{background:#fef3c7}.fail,.unmet{background:#fee2e2}
table{border-collapse:collapse;margin:8px 0}td,th{border:1px solid #ddd;padding:3px 8px;text-align:right}td:first-child,th:first-child,td.l{text-align:left}
.grid-charts{display:grid;grid-template-columns:repeat(auto-fill,minmax(600px,1fr));gap:16px}
figure{margin:0;border:1px solid #e5e7eb;border-radius:6px;padding:8px}figcaption{font-weight:600;margin-bottom:4px}
svg.chart{width:100%;height:auto}svg .grid{stroke:#eee}svg .tick{font-size:11px;fill:#555}svg .axis{font-size:12px;fill:#333}
svg path.line{fill:none;stroke-width:2}svg .marker line{stroke:#f59e0b;stroke-dasharray:4 3}svg .marker text{font-size:11px;fill:#b45309}
.backlog{background:#fef3c7;padding:6px 10px;border-radius:6px}.legend span{margin-right:12px;font-size:12px}.legend i{display:inline-block;width:10px;height:10px;margin-right:4px;border-radius:2px}.meta{color:#555}
.note{color:#555;font-size:12px;margin:4px 0 0}`

// After layout, marks each chart with what the browser actually drew (data-drawn, data-marks) so a
// headless browser can check the report renders; the charts themselves need no script.
const DRAWN_CHECK = `<script>(()=>{let drawn=0;for(const f of document.querySelectorAll('figure.chart-box')){const svg=f.querySelector('svg.chart');const marks=[...f.querySelectorAll('path.line,rect.bar')].filter((m)=>m.tagName==='rect'?m.getBBox().width>0:m.getTotalLength()>0).length;const ok=!!svg&&svg.getBoundingClientRect().width>0&&marks>0;f.dataset.drawn=ok?'yes':'no';f.dataset.marks=String(marks);f.dataset.markers=String(f.querySelectorAll('g.marker').length);if(ok)drawn++}document.documentElement.dataset.chartsDrawn=String(drawn)})()</script>`

export function renderHtml(record: RunRecord): string {
  const {sla} = record
  const body: string[] = []
  body.push(`<h1>streamctl bench: ${xml(record.profile)}</h1>`)
  body.push(
    `<p class="meta">seed ${record.seed} · ${record.model} model · target ${xml(record.target)} · started ${xml(record.startedAt)} · ${formatDuration(record.durationMs)}${record.meta.stack ? ` · stack ${xml(record.meta.stack)} (${xml(record.meta.driver ?? '')})` : ''} · streamctl ${xml(record.meta.streamctl)} · node ${xml(record.meta.node)}${record.shard ? ` · shard ${record.shard.index + 1}/${record.shard.count}` : ''}${record.meta.mergedFrom ? ` · merged from ${record.meta.mergedFrom.length} records` : ''}</p>`,
  )
  body.push(
    `<div class="verdict ${sla.passed ? 'pass' : 'fail'}" id="verdict">${xml(verdictHeadline(sla, record.profile))}${sla.abortedBy ? ` — aborted early by ${xml(sla.abortedBy)}` : ''}</div>`,
  )
  if (sla.results.length > 0) {
    body.push('<table id="sla"><tr><th>target</th><th>result</th><th>observed</th><th>evidence</th></tr>')
    for (const result of sla.results)
      body.push(
        `<tr class="${result.status}${result.met ? '' : ' unmet'}"><td class="l">${xml(result.name)}</td><td>${xml(statusWord(result))}</td><td>${xml(result.observedText)}</td><td class="l">${xml(result.status === 'inconclusive' || result.status === 'no-data' ? (result.reason ?? evidenceText(result)) : evidenceText(result))}</td></tr>`,
      )
    body.push('</table>')
  }
  const notApplicable = notApplicableLine(sla, record.profile)
  if (notApplicable) body.push(`<p class="meta" id="not-applicable">${xml(notApplicable)}</p>`)
  const published = publishedComparison(record)
  if (published) {
    body.push(
      `<h2>${xml(published.title)}</h2>`,
      `<p class="meta">${xml(published.windows)}</p>`,
      '<table id="published">',
      `<tr>${published.header.map((name) => `<th>${xml(name)}</th>`).join('')}</tr>`,
    )
    for (const row of published.rows)
      body.push(
        `<tr>${row.map((value, column) => `<td${column < 2 ? ' class="l"' : ''}>${xml(value)}</td>`).join('')}</tr>`,
      )
    body.push('</table>')
  }
  for (const [index, variant] of record.variants.entries()) {
    const prefix = `v${index}-`
    body.push(
      `<h2>${record.variants.length > 1 ? `Variant ${xml(variant.name)}` : 'Latency'}${variant.description ? ` — ${xml(variant.description)}` : ''}</h2>`,
    )
    body.push(
      '<table><tr><th>series</th><th>requests</th><th>p50</th><th>p90</th><th>p99</th><th>p99.9</th><th>max</th><th>failed</th></tr>',
    )
    for (const [name, series] of Object.entries(variant.totals)) {
      const l = series.latency
      const failedCount = Object.values(series.counts.failed).reduce((sum, value) => sum + value, 0)
      body.push(
        `<tr><td class="l">${xml(name)}</td><td>${series.counts.requests}</td>${[l.p50, l.p90, l.p99, l.p999, l.max].map((value) => `<td>${formatDuration(value)}</td>`).join('')}<td>${failedCount}</td></tr>`,
      )
    }
    body.push('</table>')
    body.push(
      `<p class="meta">amplification ${variant.amplification.toFixed(2)}x · goodput ${variant.goodput.toFixed(1)}/s · ${sendLagText(variant)} · abandoned ${variant.abandoned}${variant.timeline.length ? ` · timeline: ${variant.timeline.map((event) => `${xml(event.action)} at ${formatDuration(event.firedAtMs)}${event.ok ? '' : ' (failed)'}`).join(', ')}` : ''}</p>`,
    )
    for (const backlog of grownBacklogs(variant.gauges ?? []))
      body.push(`<p class="backlog">${xml(describeBacklog(backlog))}</p>`)
    body.push(
      '<div class="grid-charts">',
      ...cascade(variant, prefix),
      percentileSpectrum(variant, prefix),
      throughputAndErrors(variant, prefix),
      ...latencyOverTime(variant, prefix),
      retriesAndAmplification(variant, prefix),
      ...serverFigures(variant, prefix),
      '</div>',
    )
  }
  if (record.quota) {
    const quota = record.quota
    body.push('<h2>Quota accounting</h2>')
    body.push(
      `<p>${quota.client.attempted} generate attempts, ${quota.client.rejected} rejected (429), ${quota.totals.admitted} admitted, ${quota.totals.usedTokens} tokens used of ${quota.totals.estimatedTokens} estimated (estimate error ${(quota.totals.estimateError * 100).toFixed(1)}%)${quota.drained ? '' : ' — the drain timed out'}.</p>`,
    )
    body.push(
      '<table id="invariants"><tr><th>invariant</th><th>value</th><th>must be</th></tr>',
      ...Object.entries(quota.invariants).map(
        ([name, value]) =>
          `<tr class="${value === 0 ? 'pass' : 'fail'}"><td class="l">${xml(name)}</td><td>${value}</td><td>0</td></tr>`,
      ),
      '</table>',
    )
    body.push(
      '<table><tr><th>tier</th><th>users</th><th>admitted</th><th>estimated</th><th>reserved</th><th>used</th><th>refunded</th><th>estimate error</th></tr>',
    )
    for (const tier of quota.tiers)
      body.push(
        `<tr><td class="l">${xml(tier.tier)}</td><td>${tier.users}</td><td>${tier.admitted}</td><td>${tier.estimatedTokens}</td><td>${tier.reservedTokens}</td><td>${tier.usedTokens}</td><td>${tier.refundedTokens}</td><td>${(tier.estimateError * 100).toFixed(1)}%</td></tr>`,
      )
    body.push('</table>', '<div class="grid-charts">', quotaCharts(quota), '</div>')
  }
  return `<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>streamctl ${xml(record.profile)} — SLA ${sla.passed ? 'passed' : 'failed'}</title><style>${STYLE}</style></head><body>\n${body.join('\n')}\n${DRAWN_CHECK}\n</body></html>\n`
}
