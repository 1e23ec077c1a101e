// A client of an OpenAI-compatible `/chat/completions` endpoint (llm-sim or a real provider), one
// attempt at a time: each outcome says whether retrying could help and how long the server asked
// us to wait.
export interface ChatUsage {
  prompt_tokens: number
  completion_tokens: number
  total_tokens: number
}

export type LlmOutcome =
  | {ok: true; content: string; usage: ChatUsage}
  | {ok: false; kind: 'rate_limited'; retryAfterMs?: number; message: string}
  | {ok: false; kind: 'timeout' | 'server_error' | 'network'; message: string}
  | {ok: false; kind: 'rejected'; message: string}

export interface LlmCall {
  baseUrl: string
  apiKey?: string | undefined
  model: string
  prompt: string
  maxTokens: number
  timeoutMs: number
}

export async function callChatCompletion(call: LlmCall): Promise<LlmOutcome> {
  let response: Response
  try {
    response = await fetch(`${call.baseUrl}/chat/completions`, {
      method: 'POST',
      headers: {'content-type': 'application/json', ...(call.apiKey ? {authorization: `Bearer ${call.apiKey}`} : {})},
      body: JSON.stringify({
        model: call.model,
        messages: [{role: 'user', content: call.prompt}],
        max_tokens: call.maxTokens,
      }),
      signal: AbortSignal.timeout(call.timeoutMs),
    })
  } catch (error) {
    const name = (error as Error)?.name
    if (name === 'TimeoutError' || name === 'AbortError')
      return {ok: false, kind: 'timeout', message: `no answer within ${call.timeoutMs} ms`}
    return {ok: false, kind: 'network', message: (error as Error)?.message ?? String(error)}
  }
  let body: unknown
  try {
    body = await response.json()
  } catch (error) {
    const name = (error as Error)?.name
    if (name === 'TimeoutError' || name === 'AbortError')
      return {ok: false, kind: 'timeout', message: `no answer within ${call.timeoutMs} ms`}
    body = undefined
  }
  if (response.status === 429) {
    const seconds = Number(response.headers.get('retry-after'))
    return {
      ok: false,
      kind: 'rate_limited',
      message: 'LLM rate limit (429)',
      ...(Number.isFinite(seconds) && seconds >= 0 ? {retryAfterMs: seconds * 1000} : {}),
    }
  }
  if (response.status >= 500) return {ok: false, kind: 'server_error', message: `LLM answered ${response.status}`}
  if (!response.ok)
    return {
      ok: false,
      kind: 'rejected',
      message: `LLM answered ${response.status}: ${JSON.stringify(body).slice(0, 200)}`,
    }
  const completion = body as {choices?: Array<{message?: {content?: string}}>; usage?: ChatUsage}
  const content = completion?.choices?.[0]?.message?.content
  if (typeof content !== 'string' || !completion.usage)
    return {ok: false, kind: 'server_error', message: 'LLM answer has no choices[0].message.content or usage'}
  return {ok: true, content, usage: completion.usage}
}
