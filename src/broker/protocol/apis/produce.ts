// Produce (key 0), versions 3-9, transcribed from Kafka's ProduceRequest/Response.json (flexible
// from v9). A partition's `records` are RecordBatch v2, one or more, read as a view of the frame.
// acks = 0: the broker sends no response at all.
import {flexibleVersions} from '../api-keys.js'
import {array, field, MessageSchema} from '../schema.js'

export interface ProducePartitionData {
  partition: number
  records: Buffer | null
}

export interface ProduceRequest {
  transactionalId: string | null
  acks: number
  timeoutMs: number
  topics: Array<{name: string; partitions: ProducePartitionData[]}>
}

export const ProduceRequestSchema = new MessageSchema<ProduceRequest>(
  'ProduceRequest',
  [
    field('transactionalId', 'string', '3+', {nullable: '3+', default: null}),
    field('acks', 'int16', '0+'),
    field('timeoutMs', 'int32', '0+'),
    array(
      'topics',
      [
        field('name', 'string', '0+'),
        array(
          'partitions',
          [field('partition', 'int32', '0+'), field('records', 'records', '0+', {nullable: '0+'})],
          '0+',
        ),
      ],
      '0+',
    ),
  ],
  flexibleVersions('Produce'),
)

export interface ProducePartitionResponse {
  partition: number
  errorCode: number
  baseOffset: number
  logAppendTimeMs: number
  logStartOffset: number
  /** v8+: the records that made the batch fail, by index; empty, as this broker rejects whole batches. */
  recordErrors?: Array<{batchIndex: number; batchIndexErrorMessage: string | null}>
  errorMessage?: string | null
}

export interface ProduceResponse {
  topics: Array<{name: string; partitions: ProducePartitionResponse[]}>
  throttleTimeMs?: number
}

export const ProduceResponseSchema = new MessageSchema<ProduceResponse>(
  'ProduceResponse',
  [
    array(
      'topics',
      [
        field('name', 'string', '0+'),
        array(
          'partitions',
          [
            field('partition', 'int32', '0+'),
            field('errorCode', 'int16', '0+'),
            field('baseOffset', 'int64', '0+'),
            field('logAppendTimeMs', 'int64', '2+', {default: -1}),
            field('logStartOffset', 'int64', '5+', {default: -1}),
            array(
              'recordErrors',
              [
                field('batchIndex', 'int32', '8+'),
                field('batchIndexErrorMessage', 'string', '8+', {nullable: '8+', default: null}),
              ],
              '8+',
            ),
            field('errorMessage', 'string', '8+', {nullable: '8+', default: null}),
          ],
          '0+',
        ),
      ],
      '0+',
    ),
    field('throttleTimeMs', 'int32', '1+'),
  ],
  flexibleVersions('Produce'),
)
