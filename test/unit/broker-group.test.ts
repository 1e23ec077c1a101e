// The consumer-group state machine on its own: generations, the member-id handshake, rebalances on
// join, leave and session expiry, client-side assignments passed through, and commit fencing.
import {afterEach, describe, expect, it} from 'vitest'
import {ConsumerGroup, type GroupSnapshot} from '../../src/broker/group/consumer-group.js'
import {KafkaErrors} from '../../src/broker/protocol/errors.js'
import type {JoinGroupRequest} from '../../src/broker/protocol/apis/join-group.js'

const groups: ConsumerGroup[] = []
afterEach(() => {
  for (const group of groups.splice(0)) group.close()
})

function makeGroup(): {group: ConsumerGroup; snapshots: GroupSnapshot[]} {
  const snapshots: GroupSnapshot[] = []
  const group = new ConsumerGroup('g', {initialRebalanceDelayMs: 0, onChange: (snapshot) => snapshots.push(snapshot)})
  groups.push(group)
  return {group, snapshots}
}

const joinRequest = (memberId: string, overrides: Partial<JoinGroupRequest> = {}): JoinGroupRequest => ({
  groupId: 'g',
  sessionTimeoutMs: 10_000,
  rebalanceTimeoutMs: 10_000,
  memberId,
  groupInstanceId: null,
  protocolType: 'consumer',
  protocols: [{name: 'range', metadata: Buffer.from(`meta-${memberId || 'new'}`)}],
  ...overrides,
})

async function joinNew(group: ConsumerGroup, clientId: string) {
  const first = await group.join(joinRequest(''), 5, {clientId, clientHost: '/127.0.0.1'})
  expect(first.errorCode).toBe(KafkaErrors.MEMBER_ID_REQUIRED.code)
  expect(first.memberId).toMatch(new RegExp(`^${clientId}-`))
  return first.memberId
}

describe('ConsumerGroup', () => {
  it('hands out a member id first (v4+), then completes a generation with the first member as leader', async () => {
    const {group, snapshots} = makeGroup()
    expect(group.state).toBe('Empty')
    const memberId = await joinNew(group, 'c1')
    const joined = await group.join(joinRequest(memberId), 5, {clientId: 'c1', clientHost: '/127.0.0.1'})
    expect(joined).toMatchObject({errorCode: 0, generationId: 1, leader: memberId, memberId, protocolName: 'range'})
    expect(joined.members.map((member) => member.memberId)).toEqual([memberId])
    expect(group.state).toBe('CompletingRebalance')
    const synced = await group.sync({
      groupId: 'g',
      generationId: 1,
      memberId,
      assignments: [{memberId, assignment: Buffer.from('all of it')}],
    })
    expect(synced).toEqual({errorCode: 0, assignment: Buffer.from('all of it')})
    expect(group.state).toBe('Stable')
    expect(snapshots.at(-1)).toEqual({groupId: 'g', protocolType: 'consumer', generationId: 1})
    // An unknown member id (not handed out) is refused.
    expect((await group.join(joinRequest('made-up'), 5, {clientId: 'x', clientHost: '/h'})).errorCode).toBe(
      KafkaErrors.UNKNOWN_MEMBER_ID.code,
    )
  })

  it('rebalances when a member joins: the others learn it from their heartbeat, and the leader assignment reaches everyone', async () => {
    const {group} = makeGroup()
    const a = await joinNew(group, 'a')
    await group.join(joinRequest(a), 5, {clientId: 'a', clientHost: '/h'})
    await group.sync({
      groupId: 'g',
      generationId: 1,
      memberId: a,
      assignments: [{memberId: a, assignment: Buffer.from('0,1')}],
    })

    const b = await joinNew(group, 'b')
    const bJoin = group.join(joinRequest(b), 5, {clientId: 'b', clientHost: '/h'})
    expect(group.state).toBe('PreparingRebalance')
    expect(group.heartbeat(a, 1)).toBe(KafkaErrors.REBALANCE_IN_PROGRESS.code)
    const aJoin = await group.join(joinRequest(a), 5, {clientId: 'a', clientHost: '/h'})
    const bJoined = await bJoin
    expect(aJoin).toMatchObject({generationId: 2, leader: a})
    expect(aJoin.members.map((member) => member.memberId).sort()).toEqual([a, b].sort())
    expect(bJoined).toMatchObject({generationId: 2, leader: a, members: []})

    const bSync = group.sync({groupId: 'g', generationId: 2, memberId: b, assignments: []})
    expect(group.heartbeat(b, 1)).toBe(KafkaErrors.ILLEGAL_GENERATION.code)
    const aSync = await group.sync({
      groupId: 'g',
      generationId: 2,
      memberId: a,
      assignments: [
        {memberId: a, assignment: Buffer.from('0')},
        {memberId: b, assignment: Buffer.from('1')},
      ],
    })
    expect(aSync.assignment.toString()).toBe('0')
    expect((await bSync).assignment.toString()).toBe('1')
    expect(group.describe()).toMatchObject({
      state: 'Stable',
      protocol: 'range',
      members: [{memberId: a}, {memberId: b}],
    })
    expect(group.heartbeat(b, 2)).toBe(0)
  })

  it('fences commits: simple commits only while empty, the current generation otherwise', async () => {
    const {group} = makeGroup()
    expect(group.commitError('', -1)).toBe(0)
    const a = await joinNew(group, 'a')
    await group.join(joinRequest(a), 5, {clientId: 'a', clientHost: '/h'})
    expect(group.commitError('', -1)).toBe(KafkaErrors.UNKNOWN_MEMBER_ID.code)
    expect(group.commitError(a, 1)).toBe(KafkaErrors.REBALANCE_IN_PROGRESS.code)
    await group.sync({groupId: 'g', generationId: 1, memberId: a, assignments: []})
    expect(group.commitError(a, 1)).toBe(0)
    expect(group.commitError(a, 0)).toBe(KafkaErrors.ILLEGAL_GENERATION.code)
    expect(group.commitError('stranger', 1)).toBe(KafkaErrors.UNKNOWN_MEMBER_ID.code)
  })

  it('evicts a member whose session expired, and goes Empty when the last member leaves', async () => {
    const {group} = makeGroup()
    const a = await joinNew(group, 'a')
    const b = await joinNew(group, 'b')
    await group.join(joinRequest(a, {sessionTimeoutMs: 1000}), 5, {clientId: 'a', clientHost: '/h'})
    await group.sync({groupId: 'g', generationId: 1, memberId: a, assignments: []})
    const bJoin = group.join(joinRequest(b, {sessionTimeoutMs: 1000}), 5, {clientId: 'b', clientHost: '/h'})
    const aJoined = await group.join(joinRequest(a, {sessionTimeoutMs: 1000}), 5, {clientId: 'a', clientHost: '/h'})
    await bJoin
    const leader = aJoined.leader
    await group.sync({groupId: 'g', generationId: aJoined.generationId, memberId: leader, assignments: []})
    expect(group.state).toBe('Stable')
    const survivor = leader
    const expired = group.expire(Date.now() + 5_000)
    expect(expired.sort()).toEqual([a, b].sort())
    expect(group.state).toBe('Empty')
    expect(group.memberCount).toBe(0)
    expect(group.heartbeat(survivor, aJoined.generationId)).toBe(KafkaErrors.UNKNOWN_MEMBER_ID.code)

    const c = await joinNew(group, 'c')
    const joined = await group.join(joinRequest(c), 5, {clientId: 'c', clientHost: '/h'})
    expect(joined.generationId).toBeGreaterThan(aJoined.generationId)
    expect(group.leave([c, 'nobody'])).toEqual([
      {memberId: c, errorCode: 0},
      {memberId: 'nobody', errorCode: KafkaErrors.UNKNOWN_MEMBER_ID.code},
    ])
    expect(group.state).toBe('Empty')
  })

  it('refuses a member whose protocols share nothing with the group', async () => {
    const {group} = makeGroup()
    const a = await joinNew(group, 'a')
    await group.join(joinRequest(a), 5, {clientId: 'a', clientHost: '/h'})
    const b = await joinNew(group, 'b')
    const refused = await group.join(joinRequest(b, {protocols: [{name: 'sticky', metadata: Buffer.alloc(0)}]}), 5, {
      clientId: 'b',
      clientHost: '/h',
    })
    expect(refused.errorCode).toBe(KafkaErrors.INCONSISTENT_GROUP_PROTOCOL.code)
  })
})

describe('ConsumerGroup static members (KIP-345)', () => {
  const staticJoin = (group: ConsumerGroup, memberId: string, instanceId: string, clientId: string) =>
    group.join(joinRequest(memberId, {groupInstanceId: instanceId}), 9, {clientId, clientHost: '/h'})

  it('joins without the member-id handshake, and a restarted instance takes its place without a rebalance', async () => {
    const {group} = makeGroup()
    const first = await staticJoin(group, '', 'instance-a', 'a')
    expect(first).toMatchObject({errorCode: 0, generationId: 1, leader: first.memberId})
    expect(first.members).toEqual([
      {memberId: first.memberId, groupInstanceId: 'instance-a', metadata: expect.any(Buffer)},
    ])
    await group.sync({
      groupId: 'g',
      generationId: 1,
      memberId: first.memberId,
      assignments: [{memberId: first.memberId, assignment: Buffer.from('p0,p1')}],
    })
    expect(group.state).toBe('Stable')

    // The instance restarts and rejoins with no member id: same generation, a new id, the same assignment.
    const again = await staticJoin(group, '', 'instance-a', 'a')
    expect(again).toMatchObject({errorCode: 0, generationId: 1, leader: again.memberId, skipAssignment: true})
    expect(again.memberId).not.toBe(first.memberId)
    expect(group.state).toBe('Stable')
    const synced = await group.sync({groupId: 'g', generationId: 1, memberId: again.memberId, assignments: []})
    expect(synced).toEqual({errorCode: 0, assignment: Buffer.from('p0,p1')})

    // The old incarnation is fenced wherever it still shows up with the instance id.
    const fenced = KafkaErrors.FENCED_INSTANCE_ID.code
    expect(group.heartbeat(first.memberId, 1, 'instance-a')).toBe(fenced)
    expect(group.commitError(first.memberId, 1, 'instance-a')).toBe(fenced)
    expect((await staticJoin(group, first.memberId, 'instance-a', 'a')).errorCode).toBe(fenced)
    expect(group.leave([first.memberId], ['instance-a'])).toEqual([{memberId: first.memberId, errorCode: fenced}])
    expect(group.heartbeat(again.memberId, 1, 'instance-a')).toBe(0)
  })

  it('leaves by instance id alone, and a changed subscription on rejoin rebalances', async () => {
    const {group} = makeGroup()
    const a = await staticJoin(group, '', 'instance-a', 'a')
    await group.sync({groupId: 'g', generationId: 1, memberId: a.memberId, assignments: []})
    const changed = await group.join(
      joinRequest('', {groupInstanceId: 'instance-a', protocols: [{name: 'range', metadata: Buffer.from('other')}]}),
      9,
      {clientId: 'a', clientHost: '/h'},
    )
    expect(changed.generationId).toBe(2)
    expect(group.state).toBe('CompletingRebalance')
    expect(group.leave([''], ['instance-a'])).toEqual([{memberId: '', errorCode: 0}])
    expect(group.memberCount).toBe(0)
    expect(group.leave([''], ['instance-a'])).toEqual([{memberId: '', errorCode: KafkaErrors.UNKNOWN_MEMBER_ID.code}])
  })
})
