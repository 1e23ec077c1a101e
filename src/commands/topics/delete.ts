import {Args} from '@oclif/core'
import {KafkaCommand, kafkaFlags} from '../../cli/kafka-command.js'

export interface TopicsDeleteResult {
  deleted: string[]
}

export default class TopicsDelete extends KafkaCommand<typeof TopicsDelete> {
  static override summary = 'Delete one or more topics and their records.'
  static override examples = [
    '<%= config.bin %> topics delete clicks',
    '<%= config.bin %> topics delete clicks audit --brokers localhost:9092',
  ]
  static override strict = false
  static override args = {topic: Args.string({required: true, description: 'Topic name (several may follow)'})}
  static override flags = {...kafkaFlags}

  async run(): Promise<TopicsDeleteResult> {
    const {argv} = await this.parse(TopicsDelete)
    const names = [...new Set(argv.map(String))]
    const {deleteTopics} = await import('../../lib/kafka/topic-changes.js')
    await this.withKafka(({admin}) => deleteTopics(admin, names))
    for (const name of names) this.print(`deleted topic ${name}`)
    return {deleted: names}
  }
}
