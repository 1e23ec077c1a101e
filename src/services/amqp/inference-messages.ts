// The messages of the inference path: gateway → `inference_requests` → worker → `inference_results`
// → collector. JSON bodies, persistent, with the request id as AMQP message id.
export interface InferenceRequestMessage {
  request_id: string
  user_id: string
  tier: string
  model: string
  prompt: string
  max_tokens: number
  estimated_tokens: number
  quota_day: string
  quota_month: string
  priority: number
}

export interface InferenceResultMessage {
  request_id: string
  status: 'completed' | 'failed'
  output?: string
  degraded: boolean
  usage?: {prompt_tokens: number; completion_tokens: number; total_tokens: number}
  error?: string
  attempts: number
}

/** Queue names, from env with these defaults; their dead-letter queues come from stack.yaml. */
export const DEFAULT_REQUESTS_QUEUE = 'inference_requests'
export const DEFAULT_RESULTS_QUEUE = 'inference_results'
