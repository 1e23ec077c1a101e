import {Args} from '@oclif/core'
import {KafkaCommand, kafkaFlags} from '../../cli/kafka-command.js'
import type {GroupDescription} from '../../lib/kafka/groups.js'
import {formatTable} from '../../lib/text/table.js'

export default class GroupsDescribe extends KafkaCommand<typeof GroupsDescribe> {
  static override summary = 'Describe a consumer group: state, members and their partitions, committed offsets and lag.'
  static override description = 'Lag is the log end offset minus the committed offset, per partition and in total.'
  static override examples = [
    '<%= config.bin %> groups describe projector',
    '<%= config.bin %> groups describe projector --json',
  ]
  static override args = {group: Args.string({required: true, description: 'Consumer group id'})}
  static override flags = {...kafkaFlags}

  async run(): Promise<GroupDescription> {
    const {describeGroup} = await import('../../lib/kafka/groups.js')
    const group = await this.withKafka(({admin}) => describeGroup(admin, this.args.group))
    this.print(
      `group ${group.group}: ${group.state}, ${group.members.length} member${group.members.length === 1 ? '' : 's'}${group.protocol ? ` (${group.protocol})` : ''}, total lag ${group.totalLag}`,
    )
    if (group.members.length > 0) {
      const assigned = (member: GroupDescription['members'][number]) =>
        Object.entries(member.assignment)
          .map(([topic, partitions]) => `${topic}[${partitions.join(',')}]`)
          .join(' ') || '-'
      this.print(
        `\n${formatTable([['MEMBER', 'CLIENT', 'HOST', 'PARTITIONS'], ...group.members.map((member) => [member.memberId, member.clientId, member.clientHost, assigned(member)])])}`,
      )
    }
    if (group.offsets.length > 0) {
      this.print(
        `\n${formatTable([['TOPIC', 'PARTITION', 'COMMITTED', 'LATEST', 'LAG'], ...group.offsets.map((offset) => [offset.topic, offset.partition, offset.committed, offset.latest, offset.lag])])}`,
      )
    }
    return group
  }
}
