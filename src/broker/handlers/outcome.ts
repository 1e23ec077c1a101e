// One per-resource answer: runs an action and turns a KafkaProtocolError into the error code and
// message of that resource's result, so one bad topic or config fails only itself.
import {KafkaProtocolError} from '../protocol/errors.js'

export interface Outcome {
  name: string
  errorCode: number
  errorMessage: string | null
}

export function outcome(name: string, action: () => void): Outcome {
  try {
    action()
    return {name, errorCode: 0, errorMessage: null}
  } catch (error) {
    if (!(error instanceof KafkaProtocolError)) throw error
    return {name, errorCode: error.code, errorMessage: error.message}
  }
}
