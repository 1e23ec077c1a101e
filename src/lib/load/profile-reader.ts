// Turns a profile's YAML, already checked against the schema, into a LoadProfile: stages, requests,
// variants, retries and the timeline, each field checked and reported at its `file:line:col`.
import type {ErrorClass} from '../measure/outcome.js'
import {COMPONENT_FAULTS} from '../stack/component-faults.js'
import {parseDuration} from '../text/duration.js'
import {formatPath, YamlSource, type PathSegment} from '../yaml/source.js'
import {DEFAULT_PEAK_SHAPE} from './arrival-curves.js'
import {
  type LoadProfile,
  type RateValue,
  type Span,
  type StageSpec,
  type SwitchesPatch,
  type TimelineEventSpec,
  type VariantSpec,
} from './profile.js'
import {builtinTemplate, type BuiltinTemplate} from './reference-templates.js'
import {DEFAULT_RETRY_ON, NO_RETRIES, type RetryPolicy} from './retry-policy.js'
import {compileRequestType} from './workload.js'
import {TemplateError} from './template.js'

type Raw = Record<string, unknown>

const ERROR_CLASS_NAMES: Record<string, ErrorClass> = {
  timeout: 'timeout',
  '5xx': 'http5xx',
  '429': 'http429',
  '4xx': 'http4xx',
  connection: 'connection',
}

export class ProfileReader {
  constructor(private readonly source: YamlSource) {}

  read(raw: Raw, defaultName: string, sla: LoadProfile['sla']): LoadProfile {
    const vars = Object.fromEntries(
      Object.entries((raw.vars as Raw | undefined) ?? {}).map(([key, value]) => [key, String(value)]),
    )
    const stages = ((raw.stages as Raw[] | undefined) ?? [{curve: 'constant', rate: '1x'}]).map((stage, index) =>
      this.stage(stage, ['stages', index]),
    )
    const durationMs = this.duration(raw.duration, ['duration'])
    if (
      durationMs === undefined &&
      stages.some((stage) => stage.duration === undefined || 'fraction' in stage.duration)
    ) {
      this.problem(
        raw.stages === undefined ? [] : ['stages'],
        'set `duration` (or give every stage an absolute duration): stages without one, or in %, are shares of the run',
      )
    }
    const requests = ((raw.requests as Raw[] | undefined) ?? []).map((request, index) =>
      this.request(request, ['requests', index], vars),
    )
    if (raw.requests === undefined)
      this.problem(
        [],
        'missing required field "requests": the request types to send (e.g. `- use: recommendations` or `- {name: home, method: GET, path: /}`)',
      )
    this.uniqueNames(
      requests.map((request) => request.name),
      'requests',
      'request',
    )
    const variants = ((raw.variants as Raw[] | undefined) ?? []).map((variant, index) =>
      this.variant(variant, ['variants', index]),
    )
    this.uniqueNames(
      variants.map((variant) => variant.name),
      'variants',
      'variant',
    )
    const population = (raw.population as Raw | undefined) ?? {}
    const content = (population.content as Raw | undefined) ?? {}
    const model = (raw.model as LoadProfile['model'] | undefined) ?? 'open'
    const target = raw.target as string | undefined
    if (target !== undefined && target !== 'stack') this.url(target, ['target'])
    if (raw.admin !== undefined) this.url(raw.admin as string, ['admin'])
    ;((raw.scrape as string[] | undefined) ?? []).forEach((url, index) => this.url(url, ['scrape', index]))
    const timeline = ((raw.timeline as Raw[] | undefined) ?? []).map((event, index) =>
      this.timelineEvent(event, ['timeline', index]),
    )
    return {
      name: (raw.name as string | undefined) ?? defaultName,
      file: this.source.file,
      ...(raw.description === undefined ? {} : {description: raw.description as string}),
      ...(target === undefined || target === 'stack' ? {} : {target}),
      ...(raw.admin === undefined ? {} : {admin: raw.admin as string}),
      ...(durationMs === undefined ? {} : {durationMs}),
      ...(raw.warmup === undefined ? {} : {warmupMs: this.duration(raw.warmup, ['warmup']) ?? 0}),
      warmupBefore: (raw.warmupBefore as LoadProfile['warmupBefore'] | undefined) ?? 'run',
      rate: (raw.rate as number | undefined) ?? 10,
      model,
      vus: (raw.vus as number | undefined) ?? 10,
      thinkTimeMs: this.duration(raw.thinkTime, ['thinkTime']) ?? 0,
      ...(raw.maxInFlight === undefined ? {} : {maxInFlight: raw.maxInFlight as number}),
      whenCapped: (raw.whenCapped as LoadProfile['whenCapped'] | undefined) ?? 'queue',
      lateAfterMs: this.duration(raw.lateAfter, ['lateAfter']) ?? 10,
      sendPrecision: (raw.sendPrecision as LoadProfile['sendPrecision'] | undefined) ?? 'auto',
      ...(raw.connections === undefined ? {} : {connections: raw.connections as number}),
      timeoutMs: this.duration(raw.timeout, ['timeout']) ?? 10_000,
      seed: (raw.seed as number | undefined) ?? 1,
      intervalMs: this.duration(raw.interval, ['interval']) ?? 1000,
      drainTimeoutMs: this.duration(raw.drainTimeout, ['drainTimeout']) ?? 30_000,
      arrival: (raw.arrival as LoadProfile['arrival'] | undefined) ?? 'uniform',
      stages,
      population: {
        users: (population.users as number | undefined) ?? 1000,
        zipf: (population.zipf as number | undefined) ?? 1.1,
        content: {
          count: (content.count as number | undefined) ?? 1000,
          prefix: (content.prefix as string | undefined) ?? 'content-',
          zipf: (content.zipf as number | undefined) ?? 1,
        },
      },
      vars,
      requests,
      retry: raw.retry === undefined ? NO_RETRIES : this.retry(raw.retry as Raw, ['retry']),
      timeline,
      variants,
      ...(raw.scrape === undefined ? {} : {scrape: raw.scrape as string[]}),
      sla,
    }
  }

  private stage(raw: Raw, at: PathSegment[]): StageSpec {
    const curve = raw.curve as StageSpec['curve']
    const base = {
      ...(raw.name === undefined ? {} : {name: raw.name as string}),
      ...(raw.duration === undefined ? {} : {duration: this.span(raw.duration as string, [...at, 'duration'])}),
      ...(raw.arrival === undefined ? {} : {arrival: raw.arrival as 'uniform' | 'poisson'}),
    }
    const needs = (fields: string[]) => {
      for (const field of fields) if (raw[field] === undefined) this.problem(at, `a ${curve} stage needs "${field}"`)
    }
    const allowed: Record<StageSpec['curve'], string[]> = {
      constant: ['rate'],
      poisson: ['rate'],
      ramp: ['from', 'to'],
      step: ['from', 'to', 'steps'],
      peak: ['rate', 'factor', 'shape'],
    }
    for (const field of ['rate', 'from', 'to', 'steps', 'factor', 'shape']) {
      if (raw[field] !== undefined && !allowed[curve].includes(field))
        this.problem(
          [...at, field],
          `${formatPath([...at, field])}: a ${curve} stage does not take "${field}" (it takes ${allowed[curve].join(', ')})`,
          {key: true},
        )
    }
    switch (curve) {
      case 'constant':
      case 'poisson':
        needs(['rate'])
        return {...base, curve, rate: this.rate(raw.rate, [...at, 'rate'])}
      case 'ramp':
        needs(['from', 'to'])
        return {...base, curve, from: this.rate(raw.from, [...at, 'from']), to: this.rate(raw.to, [...at, 'to'])}
      case 'step':
        needs(['from', 'to', 'steps'])
        return {
          ...base,
          curve,
          from: this.rate(raw.from, [...at, 'from']),
          to: this.rate(raw.to, [...at, 'to']),
          steps: (raw.steps as number | undefined) ?? 1,
        }
      case 'peak': {
        const shape = {...DEFAULT_PEAK_SHAPE, ...((raw.shape as Partial<typeof DEFAULT_PEAK_SHAPE> | undefined) ?? {})}
        if (shape.baseline + shape.rampUp + shape.hold + shape.rampDown <= 0)
          this.problem([...at, 'shape'], `${formatPath([...at, 'shape'])}: the shares must not all be 0`)
        return {
          ...base,
          curve,
          rate: raw.rate === undefined ? {multiple: 1} : this.rate(raw.rate, [...at, 'rate']),
          factor: (raw.factor as number | undefined) ?? 3,
          shape,
        }
      }
    }
  }

  private request(raw: Raw, at: PathSegment[], vars: Record<string, string>) {
    const use = raw.use as BuiltinTemplate | undefined
    if (!use)
      for (const field of ['name', 'method', 'path'])
        if (raw[field] === undefined)
          this.problem(
            at,
            `${formatPath(at)}: missing required field "${field}" (or \`use:\` a built-in template: generate, events, recommendations, metadata)`,
          )
    if (use && (raw.method !== undefined || raw.path !== undefined))
      this.problem(
        at,
        `${formatPath(at)}: \`use: ${use}\` brings its own method and path; drop them, or drop \`use\` to write the request out`,
      )
    const builtin = use ? builtinTemplate(use) : undefined
    const poll = raw.poll as Raw | undefined
    const spec = {
      ...builtin,
      name: (raw.name as string | undefined) ?? builtin?.name ?? 'request',
      method: (raw.method as string | undefined) ?? builtin?.method ?? 'GET',
      path: (raw.path as string | undefined) ?? builtin?.path ?? '/',
      ...(raw.metric === undefined ? {} : {metric: raw.metric as string}),
      ...(raw.weight === undefined ? {} : {weight: raw.weight as number}),
      ...(raw.headers === undefined
        ? {}
        : {
            headers: {
              ...builtin?.headers,
              ...Object.fromEntries(Object.entries(raw.headers as Raw).map(([key, value]) => [key, String(value)])),
            },
          }),
      ...(raw.body === undefined ? {} : {body: raw.body}),
      ...(raw.timeout === undefined ? {} : {timeoutMs: this.duration(raw.timeout, [...at, 'timeout'])!}),
      ...(poll === undefined
        ? {}
        : {
            poll: {
              intervalMs: this.duration(poll.interval, [...at, 'poll', 'interval']) ?? builtin?.poll?.intervalMs ?? 250,
              timeoutMs: this.duration(poll.timeout, [...at, 'poll', 'timeout']) ?? builtin?.poll?.timeoutMs ?? 30_000,
            },
          }),
    }
    for (const [field, value] of [
      ['path', spec.path],
      ...Object.entries(spec.headers ?? {}).map(([name, value]) => [`headers.${name}`, value]),
      ['body', typeof spec.body === 'string' ? spec.body : JSON.stringify(spec.body ?? '')],
    ] as Array<[string, string]>) {
      try {
        compileRequestType({name: 'check', method: 'GET', path: value}, vars)
      } catch (error) {
        if (!(error instanceof TemplateError)) throw error
        const fieldPath = field.startsWith('headers.') ? [...at, 'headers', field.slice(8)] : [...at, field]
        this.problem(fieldPath, `${formatPath(fieldPath)}: ${error.message}`)
      }
    }
    return spec
  }

  private retry(raw: Raw, at: PathSegment[]): RetryPolicy {
    const kind = raw.policy as RetryPolicy['kind']
    const budget = raw.budget as Raw | undefined
    const policy: RetryPolicy = {
      kind,
      maxAttempts: (raw.maxAttempts as number | undefined) ?? (kind === 'none' ? 1 : 3),
      delayMs: this.duration(raw.delay, [...at, 'delay']) ?? (kind === 'fixed' || kind === 'exponential' ? 100 : 0),
      maxDelayMs: this.duration(raw.maxDelay, [...at, 'maxDelay']) ?? 10_000,
      multiplier: (raw.multiplier as number | undefined) ?? 2,
      jitter: (raw.jitter as RetryPolicy['jitter'] | undefined) ?? (kind === 'exponential' ? 'full' : 'none'),
      on: raw.on === undefined ? DEFAULT_RETRY_ON : (raw.on as string[]).map((name) => ERROR_CLASS_NAMES[name]!),
      honourRetryAfter: (raw.retryAfter as boolean | undefined) ?? true,
      ...(budget === undefined
        ? {}
        : {
            budget: {
              ratio: (budget.ratio as number | undefined) ?? 0.1,
              minPerSecond: (budget.minPerSecond as number | undefined) ?? 0,
              maxBalance: (budget.maxBalance as number | undefined) ?? 100,
            },
          }),
    }
    if (kind === 'none' && raw.maxAttempts !== undefined && policy.maxAttempts > 1)
      this.problem(
        [...at, 'maxAttempts'],
        `${formatPath([...at, 'maxAttempts'])}: policy "none" makes one attempt; pick immediate, fixed or exponential to retry`,
      )
    return policy
  }

  private timelineEvent(raw: Raw, at: PathSegment[]): TimelineEventSpec {
    const when = this.span(raw.at as string, [...at, 'at'])
    const action =
      (raw.action as TimelineEventSpec['action'] | undefined) ?? (raw.switches === undefined ? undefined : 'switches')
    if (action === undefined) {
      this.problem(
        at,
        `${formatPath(at)}: say what happens: \`switches: {...}\` or \`action: reset | cache-flush | content-drop | kill | pause | resume | restart\``,
      )
      return {at: when, action: 'reset'}
    }
    if (action === 'switches' && raw.switches === undefined)
      this.problem(at, `${formatPath(at)}: action "switches" needs \`switches: {faults: {...}, interventions: {...}}\``)
    if (action !== 'switches' && raw.switches !== undefined)
      this.problem([...at, 'switches'], `${formatPath([...at, 'switches'])}: only action "switches" takes switches`, {
        key: true,
      })
    if (action !== 'content-drop' && raw.count !== undefined)
      this.problem([...at, 'count'], `${formatPath([...at, 'count'])}: only action "content-drop" takes a count`, {
        key: true,
      })
    const faultsComponent = (COMPONENT_FAULTS as readonly string[]).includes(action)
    if (faultsComponent && raw.component === undefined)
      this.problem(
        at,
        `${formatPath(at)}: action "${action}" needs \`component: <name>\`, a component of the stack such as worker`,
      )
    if (!faultsComponent && raw.component !== undefined)
      this.problem(
        [...at, 'component'],
        `${formatPath([...at, 'component'])}: only actions kill, pause, resume and restart take a component`,
        {key: true},
      )
    switch (action) {
      case 'switches':
        return {at: when, action, switches: (raw.switches as SwitchesPatch | undefined) ?? {}}
      case 'content-drop':
        return {at: when, action, ...(raw.count === undefined ? {} : {count: raw.count as number})}
      case 'kill':
      case 'pause':
      case 'resume':
      case 'restart':
        return {at: when, action, component: String(raw.component ?? '')}
      default:
        return {at: when, action}
    }
  }

  private variant(raw: Raw, at: PathSegment[]): VariantSpec {
    return {
      name: raw.name as string,
      ...(raw.description === undefined ? {} : {description: raw.description as string}),
      ...(raw.retry === undefined ? {} : {retry: this.retry(raw.retry as Raw, [...at, 'retry'])}),
      ...(raw.timeout === undefined ? {} : {timeoutMs: this.duration(raw.timeout, [...at, 'timeout'])!}),
      ...(raw.switches === undefined ? {} : {switches: raw.switches as VariantSpec['switches']}),
    }
  }

  private duration(value: unknown, at: PathSegment[]): number | undefined {
    if (value === undefined) return undefined
    const ms = parseDuration(String(value))
    if (ms === undefined)
      this.problem(at, `${formatPath(at)}: expected a duration such as 500ms, 30s or 5m, got "${String(value)}"`)
    return ms
  }

  private span(value: string, at: PathSegment[]): Span {
    if (value.endsWith('%')) {
      const fraction = Number(value.slice(0, -1)) / 100
      if (!(fraction >= 0 && fraction <= 1))
        this.problem(at, `${formatPath(at)}: a share of the run is between 0% and 100%, got ${value}`)
      return {fraction}
    }
    return {ms: this.duration(value, at) ?? 0}
  }

  private rate(value: unknown, at: PathSegment[]): RateValue {
    if (typeof value === 'number') {
      if (value < 0) this.problem(at, `${formatPath(at)}: a rate cannot be negative`)
      return {perSecond: value}
    }
    const match = /^(\d+(?:\.\d+)?)x$/.exec(String(value).trim())
    if (!match) {
      this.problem(
        at,
        `${formatPath(at)}: expected requests per second (e.g. 200) or a multiple of the base rate (e.g. 3x), got "${String(value)}"`,
      )
      return {multiple: 1}
    }
    return {multiple: Number(match[1])}
  }

  private url(value: string, at: PathSegment[]): void {
    try {
      const url = new URL(value)
      if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('not http')
    } catch {
      this.problem(at, `${formatPath(at)}: expected an http(s) URL such as http://127.0.0.1:8080, got "${value}"`)
    }
  }

  private uniqueNames(names: string[], at: string, what: string): void {
    const seen = new Set<string>()
    names.forEach((name, index) => {
      if (seen.has(name)) this.problem([at, index], `${at}[${index}]: duplicate ${what} name "${name}"`)
      seen.add(name)
    })
  }

  private problem(at: PathSegment[], message: string, options: {key?: boolean} = {}): void {
    this.source.report(at, message, options)
  }
}
