// One consumer group's membership state machine, as Kafka's coordinator keeps it:
//
//   Empty ──join──▶ PreparingRebalance ──all members joined (or rebalance timeout)──▶ CompletingRebalance
//     ▲                 ▲        │                                                        │ leader's SyncGroup
//     └── last member ──┘        └──────────── join / leave / session expiry ◀── Stable ◀─┘
//
// Each completed join bumps the generation. The leader gets every member's metadata and computes
// the assignment on the client side; SyncGroup passes it through to each member untouched.
import {randomUUID} from 'node:crypto'
import {errorCode} from '../protocol/errors.js'
import type {GroupProtocol, JoinGroupRequest, JoinGroupResponse} from '../protocol/apis/join-group.js'
import type {SyncGroupRequest} from '../protocol/apis/sync-group.js'
import type {DescribedGroup} from '../protocol/apis/describe-groups.js'
import {subscribedTopics} from './consumer-protocol.js'

export type GroupState = 'Empty' | 'PreparingRebalance' | 'CompletingRebalance' | 'Stable' | 'Dead'

type SyncResult = {errorCode: number; assignment: Buffer}

interface Member {
  memberId: string
  groupInstanceId: string | null
  clientId: string
  clientHost: string
  sessionTimeoutMs: number
  rebalanceTimeoutMs: number
  protocols: GroupProtocol[]
  assignment: Buffer
  lastHeartbeatMs: number
  awaitingJoin?: (response: JoinGroupResponse) => void
  awaitingSync?: (response: SyncResult) => void
}

export interface GroupSnapshot {
  groupId: string
  protocolType: string
  generationId: number
}

export interface ConsumerGroupOptions {
  /** How long a join into an empty group waits for more members before completing (Kafka: 3 s). */
  initialRebalanceDelayMs: number
  /** Called when the generation or protocol type changes, to persist them. */
  onChange(snapshot: GroupSnapshot): void
}

const EMPTY = Buffer.alloc(0)

export class ConsumerGroup {
  state: GroupState = 'Empty'
  generationId = 0
  protocolType = ''
  protocol = ''
  leaderId = ''
  private readonly members = new Map<string, Member>()
  private readonly pendingMemberIds = new Set<string>()
  /** Static members (KIP-345): group instance id → the member id its current incarnation holds. */
  private readonly instanceIds = new Map<string, string>()
  private joinTimer: NodeJS.Timeout | undefined
  private initialDelay = false

  constructor(
    readonly groupId: string,
    private readonly options: ConsumerGroupOptions,
  ) {}

  get memberCount(): number {
    return this.members.size
  }

  has(memberId: string): boolean {
    return this.members.has(memberId)
  }

  join(
    request: JoinGroupRequest,
    version: number,
    client: {clientId: string; clientHost: string},
  ): Promise<JoinGroupResponse> {
    const failure = (type: Parameters<typeof errorCode>[0], memberId = request.memberId) =>
      Promise.resolve<JoinGroupResponse>({
        errorCode: errorCode(type),
        generationId: -1,
        protocolName: '',
        leader: '',
        memberId,
        members: [],
      })
    if (request.sessionTimeoutMs < 1000 || request.sessionTimeoutMs > 3_600_000)
      return failure('INVALID_SESSION_TIMEOUT')
    if (
      this.members.size > 0 &&
      (request.protocolType !== this.protocolType || !this.sharesProtocol(request.protocols))
    )
      return failure('INCONSISTENT_GROUP_PROTOCOL')
    if (request.protocols.length === 0) return failure('INCONSISTENT_GROUP_PROTOCOL')
    const instanceId = request.groupInstanceId ?? null
    const owner = instanceId === null ? undefined : this.instanceIds.get(instanceId)
    let memberId = request.memberId
    if (owner !== undefined && memberId !== '' && memberId !== owner) return failure('FENCED_INSTANCE_ID')
    if (owner !== undefined && memberId === '') return this.replaceStaticMember(owner, request, client)
    if (memberId === '') {
      memberId = `${client.clientId || 'member'}-${randomUUID()}`
      // A static member needs no handshake: its instance id already tells its incarnations apart.
      if (version >= 4 && instanceId === null) {
        this.pendingMemberIds.add(memberId)
        return failure('MEMBER_ID_REQUIRED', memberId)
      }
    } else if (!this.members.has(memberId)) {
      if (!this.pendingMemberIds.delete(memberId)) return failure('UNKNOWN_MEMBER_ID')
    }
    const existing = this.members.get(memberId)
    if (existing) this.answerJoinUnknown(existing, memberId)
    const member: Member = {
      memberId,
      groupInstanceId: request.groupInstanceId,
      clientId: client.clientId,
      clientHost: client.clientHost,
      sessionTimeoutMs: request.sessionTimeoutMs,
      rebalanceTimeoutMs: request.rebalanceTimeoutMs,
      protocols: request.protocols,
      assignment: existing?.assignment ?? EMPTY,
      lastHeartbeatMs: Date.now(),
    }
    this.members.set(memberId, member)
    if (instanceId !== null) this.instanceIds.set(instanceId, memberId)
    if (this.members.size === 1) this.protocolType = request.protocolType
    const response = new Promise<JoinGroupResponse>((resolve) => {
      member.awaitingJoin = resolve
    })
    if (this.state !== 'PreparingRebalance') this.prepareRebalance()
    this.maybeCompleteJoin()
    return response
  }

  /**
   * A static member rejoining with an empty member id replaces its previous incarnation, as Kafka
   * does: the new one gets a fresh member id and keeps the assignment, the old one is fenced. In a
   * Stable group whose selected protocol's metadata did not change there is no rebalance: the
   * member gets the current generation (the leader with `skipAssignment`, v9+); otherwise the group
   * rebalances.
   */
  private replaceStaticMember(
    oldId: string,
    request: JoinGroupRequest,
    client: {clientId: string; clientHost: string},
  ): Promise<JoinGroupResponse> {
    const old = this.members.get(oldId)!
    const memberId = `${client.clientId || 'member'}-${randomUUID()}`
    const fenced = errorCode('FENCED_INSTANCE_ID')
    old.awaitingJoin?.({
      errorCode: fenced,
      generationId: -1,
      protocolName: '',
      leader: '',
      memberId: oldId,
      members: [],
    })
    this.answerSync(old, {errorCode: fenced, assignment: EMPTY})
    const member: Member = {
      ...old,
      memberId,
      clientId: client.clientId,
      clientHost: client.clientHost,
      sessionTimeoutMs: request.sessionTimeoutMs,
      rebalanceTimeoutMs: request.rebalanceTimeoutMs,
      protocols: request.protocols,
      lastHeartbeatMs: Date.now(),
      awaitingJoin: undefined,
      awaitingSync: undefined,
    }
    this.members.delete(oldId)
    this.members.set(memberId, member)
    this.instanceIds.set(request.groupInstanceId!, memberId)
    if (this.leaderId === oldId) this.leaderId = memberId
    if (this.state === 'Stable' && this.metadataOf(old).equals(this.metadataOf(member))) {
      const isLeader = this.leaderId === memberId
      return Promise.resolve({
        errorCode: 0,
        generationId: this.generationId,
        protocolType: this.protocolType,
        protocolName: this.protocol,
        leader: this.leaderId,
        skipAssignment: isLeader,
        memberId,
        members: isLeader ? this.everyone() : [],
      })
    }
    const response = new Promise<JoinGroupResponse>((resolve) => {
      member.awaitingJoin = resolve
    })
    if (this.state !== 'PreparingRebalance') this.prepareRebalance()
    this.maybeCompleteJoin()
    return response
  }

  private everyone(): JoinGroupResponse['members'] {
    return [...this.members.values()].map((member) => ({
      memberId: member.memberId,
      groupInstanceId: member.groupInstanceId,
      metadata: this.metadataOf(member),
    }))
  }

  private sharesProtocol(protocols: GroupProtocol[]): boolean {
    return protocols.some((protocol) =>
      [...this.members.values()].every((member) => member.protocols.some((other) => other.name === protocol.name)),
    )
  }

  private prepareRebalance(): void {
    const fromEmpty = this.state === 'Empty'
    if (this.state === 'CompletingRebalance') {
      for (const member of this.members.values())
        this.answerSync(member, {errorCode: errorCode('REBALANCE_IN_PROGRESS'), assignment: EMPTY})
    }
    this.state = 'PreparingRebalance'
    clearTimeout(this.joinTimer)
    this.initialDelay = fromEmpty && this.options.initialRebalanceDelayMs > 0
    if (this.initialDelay) {
      this.joinTimer = setTimeout(() => {
        this.initialDelay = false
        this.maybeCompleteJoin()
        if (this.state === 'PreparingRebalance') this.armRebalanceTimeout()
      }, this.options.initialRebalanceDelayMs)
    } else this.armRebalanceTimeout()
  }

  /** Members that have not rejoined when the rebalance timeout passes are removed. */
  private armRebalanceTimeout(): void {
    clearTimeout(this.joinTimer)
    const timeout = Math.max(1000, ...[...this.members.values()].map((member) => member.rebalanceTimeoutMs))
    this.joinTimer = setTimeout(() => {
      for (const member of [...this.members.values()]) if (!member.awaitingJoin) this.members.delete(member.memberId)
      this.completeJoin()
    }, timeout)
  }

  private maybeCompleteJoin(): void {
    if (this.state !== 'PreparingRebalance' || this.initialDelay) return
    if ([...this.members.values()].every((member) => member.awaitingJoin)) this.completeJoin()
  }

  private completeJoin(): void {
    clearTimeout(this.joinTimer)
    this.generationId++
    if (this.members.size === 0) {
      this.state = 'Empty'
      this.protocol = ''
      this.leaderId = ''
      this.options.onChange(this.snapshot())
      return
    }
    if (!this.members.has(this.leaderId)) this.leaderId = this.members.keys().next().value!
    const leader = this.members.get(this.leaderId)!
    this.protocol =
      leader.protocols.find((protocol) =>
        [...this.members.values()].every((member) => member.protocols.some((other) => other.name === protocol.name)),
      )?.name ?? leader.protocols[0]!.name
    this.state = 'CompletingRebalance'
    const everyone = this.everyone()
    for (const member of this.members.values()) {
      const resolve = member.awaitingJoin
      member.awaitingJoin = undefined
      member.lastHeartbeatMs = Date.now()
      resolve?.({
        errorCode: 0,
        generationId: this.generationId,
        protocolType: this.protocolType,
        protocolName: this.protocol,
        leader: this.leaderId,
        memberId: member.memberId,
        members: member.memberId === this.leaderId ? everyone : [],
      })
    }
    this.options.onChange(this.snapshot())
  }

  private metadataOf(member: Member): Buffer {
    return member.protocols.find((protocol) => protocol.name === this.protocol)?.metadata ?? EMPTY
  }

  sync(request: SyncGroupRequest): Promise<SyncResult> {
    const member = this.members.get(request.memberId)
    const failure = (type: Parameters<typeof errorCode>[0]) =>
      Promise.resolve({errorCode: errorCode(type), assignment: EMPTY})
    if (this.isFenced(request.memberId, request.groupInstanceId ?? null)) return failure('FENCED_INSTANCE_ID')
    if (!member) return failure('UNKNOWN_MEMBER_ID')
    if (request.generationId !== this.generationId) return failure('ILLEGAL_GENERATION')
    if (this.state === 'PreparingRebalance') return failure('REBALANCE_IN_PROGRESS')
    if (this.state === 'Stable') return Promise.resolve({errorCode: 0, assignment: member.assignment})
    member.lastHeartbeatMs = Date.now()
    const response = new Promise<SyncResult>((resolve) => {
      member.awaitingSync = resolve
    })
    if (request.memberId === this.leaderId) {
      const assignments = new Map(request.assignments.map((item) => [item.memberId, item.assignment]))
      this.state = 'Stable'
      for (const other of this.members.values()) {
        other.assignment = assignments.get(other.memberId) ?? EMPTY
        this.answerSync(other, {errorCode: 0, assignment: other.assignment})
      }
    }
    return response
  }

  /** A member's pending JoinGroup ends with UNKNOWN_MEMBER_ID: it was replaced or removed. */
  private answerJoinUnknown(member: Member, memberId: string): void {
    member.awaitingJoin?.({
      errorCode: errorCode('UNKNOWN_MEMBER_ID'),
      generationId: -1,
      protocolName: '',
      leader: '',
      memberId,
      members: [],
    })
  }

  private answerSync(member: Member, result: SyncResult): void {
    const resolve = member.awaitingSync
    member.awaitingSync = undefined
    resolve?.(result)
  }

  /** Heartbeat and commit liveness checks share these rules. */
  checkMember(memberId: string, generationId: number, groupInstanceId: string | null = null): number {
    if (this.isFenced(memberId, groupInstanceId)) return errorCode('FENCED_INSTANCE_ID')
    const member = this.members.get(memberId)
    if (!member) return errorCode('UNKNOWN_MEMBER_ID')
    if (generationId !== this.generationId) return errorCode('ILLEGAL_GENERATION')
    member.lastHeartbeatMs = Date.now()
    return 0
  }

  /** Whether a request names a static member's instance id that another member id now holds. */
  private isFenced(memberId: string, groupInstanceId: string | null): boolean {
    const owner = groupInstanceId === null ? undefined : this.instanceIds.get(groupInstanceId)
    return owner !== undefined && owner !== memberId
  }

  heartbeat(memberId: string, generationId: number, groupInstanceId: string | null = null): number {
    const problem = this.checkMember(memberId, generationId, groupInstanceId)
    if (problem !== 0) return problem
    return this.state === 'PreparingRebalance' ? errorCode('REBALANCE_IN_PROGRESS') : 0
  }

  /** Whether an OffsetCommit with this generation and member may write. */
  commitError(memberId: string, generationId: number, groupInstanceId: string | null = null): number {
    if (generationId < 0 && memberId === '') return this.members.size === 0 ? 0 : errorCode('UNKNOWN_MEMBER_ID')
    const problem = this.checkMember(memberId, generationId, groupInstanceId)
    if (problem !== 0) return problem
    return this.state === 'CompletingRebalance' ? errorCode('REBALANCE_IN_PROGRESS') : 0
  }

  /**
   * LeaveGroup: each member by its id or (v3+, a static member) by its group instance id, which
   * fences a member id that no longer holds it.
   */
  leave(
    memberIds: string[],
    groupInstanceIds: Array<string | null> = [],
  ): Array<{memberId: string; errorCode: number}> {
    const leaving: string[] = []
    const results = memberIds.map((memberId, index) => {
      const instanceId = groupInstanceIds[index] ?? null
      const target = instanceId === null ? memberId : this.instanceIds.get(instanceId)
      const problem =
        target === undefined || !this.members.has(target)
          ? errorCode('UNKNOWN_MEMBER_ID')
          : memberId !== '' && memberId !== target
            ? errorCode('FENCED_INSTANCE_ID')
            : 0
      if (problem === 0) leaving.push(target!)
      return {memberId, errorCode: problem}
    })
    const removed = leaving.filter((memberId) => this.removeMember(memberId))
    if (removed.length > 0) this.membersChanged()
    return results
  }

  /** Removes members whose session timed out; returns their ids. */
  expire(now: number): string[] {
    const expired = [...this.members.values()]
      .filter(
        (member) =>
          !member.awaitingJoin && !member.awaitingSync && now - member.lastHeartbeatMs > member.sessionTimeoutMs,
      )
      .map((member) => member.memberId)
    for (const memberId of expired) this.removeMember(memberId)
    if (expired.length > 0) this.membersChanged()
    return expired
  }

  private removeMember(memberId: string): boolean {
    const member = this.members.get(memberId)
    if (!member) return false
    this.members.delete(memberId)
    if (member.groupInstanceId !== null && this.instanceIds.get(member.groupInstanceId) === memberId)
      this.instanceIds.delete(member.groupInstanceId)
    this.answerJoinUnknown(member, memberId)
    this.answerSync(member, {errorCode: errorCode('UNKNOWN_MEMBER_ID'), assignment: EMPTY})
    return true
  }

  private membersChanged(): void {
    if (this.state === 'PreparingRebalance') this.maybeCompleteJoin()
    else if (this.members.size === 0 && this.state === 'Empty') return
    else {
      this.prepareRebalance()
      this.initialDelay = false
      this.maybeCompleteJoin()
    }
  }

  describe(): DescribedGroup {
    return {
      errorCode: 0,
      groupId: this.groupId,
      state: this.state,
      protocolType: this.protocolType,
      protocol: this.state === 'Stable' || this.state === 'CompletingRebalance' ? this.protocol : '',
      members: [...this.members.values()].map((member) => ({
        memberId: member.memberId,
        groupInstanceId: member.groupInstanceId,
        clientId: member.clientId,
        clientHost: member.clientHost,
        metadata: this.metadataOf(member),
        assignment: member.assignment,
      })),
    }
  }

  /**
   * Whether a live member subscribes to the topic, as Kafka decides it for OffsetDelete: only a
   * "consumer" group's subscriptions can be read, and one that cannot be read counts as subscribed.
   */
  isSubscribedTo(topic: string): boolean {
    for (const member of this.members.values()) {
      const metadata = this.protocol ? this.metadataOf(member) : member.protocols[0]?.metadata
      const topics = metadata === undefined ? undefined : subscribedTopics(metadata)
      if (topics === undefined || topics.includes(topic)) return true
    }
    return false
  }

  snapshot(): GroupSnapshot {
    return {groupId: this.groupId, protocolType: this.protocolType, generationId: this.generationId}
  }

  restore(snapshot: GroupSnapshot): void {
    this.protocolType = snapshot.protocolType
    this.generationId = snapshot.generationId
  }

  close(): void {
    clearTimeout(this.joinTimer)
    this.state = 'Dead'
  }
}
