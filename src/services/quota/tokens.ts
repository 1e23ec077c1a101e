// Token counting shared by the gateway's estimate and the LLM simulator: about four characters a
// token, the rule of thumb for English text with BPE tokenizers. Chat framing adds a few per message.
export const TOKENS_PER_MESSAGE = 3

export function countTokens(text: string): number {
  return text.length === 0 ? 0 : Math.ceil(text.length / 4)
}

export function countChatTokens(messages: Array<{content: string}>): number {
  return messages.reduce((sum, message) => sum + TOKENS_PER_MESSAGE + countTokens(message.content), 0)
}
