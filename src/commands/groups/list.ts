import {KafkaCommand, kafkaFlags} from '../../cli/kafka-command.js'
import type {GroupSummary} from '../../lib/kafka/groups.js'
import {formatTable} from '../../lib/text/table.js'

export interface GroupsListResult {
  groups: GroupSummary[]
}

export default class GroupsList extends KafkaCommand<typeof GroupsList> {
  static override summary = 'List the consumer groups with their state and number of live members.'
  static override examples = ['<%= config.bin %> groups list', '<%= config.bin %> groups list --json']
  static override flags = {...kafkaFlags}

  async run(): Promise<GroupsListResult> {
    const {listGroups} = await import('../../lib/kafka/groups.js')
    const groups = await this.withKafka(({admin}) => listGroups(admin))
    if (groups.length === 0) this.print('no consumer groups')
    else
      this.print(
        formatTable([
          ['GROUP', 'STATE', 'MEMBERS', 'PROTOCOL TYPE'],
          ...groups.map((group) => [group.group, group.state, group.members, group.protocolType || '-']),
        ]),
      )
    return {groups}
  }
}
