// The OpenAI chat-completions shapes the simulator answers with, and its deterministic completion:
// the length follows from the prompt (capped by max_tokens), so the same request costs the same.
import {createHash} from 'node:crypto'
import {badRequest} from '../http/errors.js'
import {describe, integerField, requireObject} from '../http/validate.js'
import {countChatTokens} from '../quota/tokens.js'

export interface ChatRequest {
  model: string
  messages: Array<{role: string; content: string}>
  maxTokens: number
}

export interface ChatCompletion {
  id: string
  object: 'chat.completion'
  created: number
  model: string
  choices: Array<{index: number; message: {role: 'assistant'; content: string}; finish_reason: 'stop' | 'length'}>
  usage: {prompt_tokens: number; completion_tokens: number; total_tokens: number}
}

export const DEFAULT_MAX_TOKENS = 256

export function parseChatRequest(body: unknown): ChatRequest {
  const object = requireObject(body)
  const messages = object.messages
  if (!Array.isArray(messages) || messages.length === 0)
    throw badRequest(`messages must be a non-empty array, not ${describe(messages)}`)
  messages.forEach((message: unknown, index) => {
    if (
      typeof message !== 'object' ||
      message === null ||
      typeof (message as {role?: unknown}).role !== 'string' ||
      typeof (message as {content?: unknown}).content !== 'string'
    ) {
      throw badRequest(`messages[${index}] must be {role: string, content: string}`)
    }
  })
  if (object.model !== undefined && typeof object.model !== 'string')
    throw badRequest(`model must be a string, not ${describe(object.model)}`)
  return {
    model: (object.model as string | undefined) ?? 'llm-sim',
    messages: messages as ChatRequest['messages'],
    maxTokens: integerField(object, 'max_tokens', {min: 1, max: 32_768}) ?? DEFAULT_MAX_TOKENS,
  }
}

const WORDS = [
  'the',
  'and',
  'for',
  'you',
  'can',
  'use',
  'new',
  'one',
  'way',
  'top',
  'set',
  'run',
  'key',
  'log',
  'map',
  'sum',
]

export function complete(request: ChatRequest, sequence: number): ChatCompletion {
  const digest = createHash('sha256').update(JSON.stringify(request.messages)).digest()
  const natural = 16 + (digest.readUInt16BE(0) % 240)
  const completionTokens = Math.min(natural, request.maxTokens)
  // Each word plus its space is four characters: one token by countTokens.
  const content =
    Array.from(
      {length: completionTokens},
      (_, index) => WORDS[(digest[index % digest.length]! + index) % WORDS.length],
    ).join(' ') + ' '
  const promptTokens = countChatTokens(request.messages)
  return {
    id: `chatcmpl-sim-${sequence}`,
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model: request.model,
    choices: [
      {
        index: 0,
        message: {role: 'assistant', content: content.trimEnd()},
        finish_reason: completionTokens < natural ? 'length' : 'stop',
      },
    ],
    usage: {
      prompt_tokens: promptTokens,
      completion_tokens: completionTokens,
      total_tokens: promptTokens + completionTokens,
    },
  }
}
