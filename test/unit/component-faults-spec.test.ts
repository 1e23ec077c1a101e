// Component faults as the user writes them: `bench --chaos ACTION:COMPONENT@AT` and a profile's
// timeline `{at, action: kill | pause | resume | restart, component}`, with errors that say what is wrong.
import {describe, expect, it} from 'vitest'
import {parseChaosSpec} from '../../src/lib/load/chaos-spec.js'
import {parseProfile} from '../../src/lib/load/profile-loader.js'
import {YamlSource} from '../../src/lib/yaml/source.js'

const profile = (timeline: string) =>
  parseProfile(
    new YamlSource('faults.yaml', `duration: 10s\nrate: 5\nrequests:\n  - use: metadata\ntimeline:\n${timeline}`),
    'faults',
  )

describe('component faults', () => {
  it('parses --chaos at a share of the run or at a time', () => {
    expect(parseChaosSpec('kill:worker@30%')).toEqual({at: {fraction: 0.3}, action: 'kill', component: 'worker'})
    expect(parseChaosSpec('resume:schema-registry@1m30s')).toEqual({
      at: {ms: 90_000},
      action: 'resume',
      component: 'schema-registry',
    })
  })

  it('names the problem in a bad --chaos', () => {
    expect(() => parseChaosSpec('kill worker')).toThrow(/--chaos kill worker: expected ACTION:COMPONENT@AT/)
    expect(() => parseChaosSpec('stop:worker@1s')).toThrow(
      /unknown action "stop"; expected one of kill, pause, resume, restart/,
    )
    expect(() => parseChaosSpec('kill:worker@150%')).toThrow(/between 0% and 100%/)
    expect(() => parseChaosSpec('kill:worker@soon')).toThrow(/"soon" is not a time/)
  })

  it('reads kill, pause, resume and restart from a profile timeline', () => {
    const loaded = profile(
      '  - {at: 20%, action: pause, component: tagger}\n  - {at: 5s, action: restart, component: tagger}\n',
    )
    expect(loaded.timeline).toEqual([
      {at: {fraction: 0.2}, action: 'pause', component: 'tagger'},
      {at: {ms: 5000}, action: 'restart', component: 'tagger'},
    ])
  })

  it('wants a component for a fault, and only there', () => {
    expect(() => profile('  - {at: 20%, action: kill}\n')).toThrow(
      /faults.yaml:6:\d+: timeline\[0\]: action "kill" needs `component: <name>`/,
    )
    expect(() => profile('  - {at: 20%, action: cache-flush, component: gateway}\n')).toThrow(
      /only actions kill, pause, resume and restart take a component/,
    )
  })
})
