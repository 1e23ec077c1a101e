// The tagger's zero-shot classifier: each label is described by a handful of words, the video's
// text and each description are embedded in the same hashed feature space, and a softmax over
// their cosine similarities gives the label scores. Deterministic: same text, same labels.
import {addFeature, cosine, normalise, words} from '../../lib/streamflow/embedding.js'

export const LABEL_DESCRIPTIONS: Readonly<Record<string, string>> = {
  news: 'news breaking report politics election world headline journalist interview update',
  sports: 'sports football soccer basketball tennis match game league goal highlights race olympics',
  entertainment: 'entertainment movie film celebrity show series drama trailer premiere award',
  music: 'music song album concert band singer live performance guitar playlist',
  comedy: 'comedy funny standup sketch joke prank parody laugh',
  education: 'education lesson tutorial lecture course learn explained school science history',
  technology: 'technology tech software programming gadget review computer ai phone',
  gaming: 'gaming videogame gameplay walkthrough esports stream playthrough console',
  documentary: 'documentary nature wildlife investigation true story archive',
  kids: 'kids children cartoon animation family nursery toys',
}

export const ZERO_SHOT_MODEL = 'hashed-zero-shot-v1'
const DIMS = 2048
/** Softmax temperature: lower makes the top label more decisive. */
const TEMPERATURE = 0.15

export interface Label {
  label: string
  score: number
}

function embedText(text: string): Float64Array {
  const vector = new Float64Array(DIMS)
  for (const word of words(text)) addFeature(vector, word, 1)
  return normalise(vector)
}

const LABEL_VECTORS = Object.entries(LABEL_DESCRIPTIONS).map(([label, description]) => ({
  label,
  vector: embedText(`${label} ${description}`),
}))

/** The text a video is classified by: its id's words plus whatever metadata is known. */
export function videoText(
  videoId: string,
  metadata: {title?: string; genres?: readonly string[]; tags?: readonly string[]; description?: string} = {},
): string {
  return [
    videoId.replace(/[_-]+/g, ' '),
    metadata.title,
    ...(metadata.genres ?? []),
    ...(metadata.tags ?? []),
    metadata.description,
  ]
    .filter(Boolean)
    .join(' ')
}

/** Scores for every label (summing to 1), best first, rounded to 4 places; `top` limits the list. */
export function classify(text: string, top = LABEL_VECTORS.length): Label[] {
  const vector = embedText(text)
  const logits = LABEL_VECTORS.map(({label, vector: labelVector}) => ({
    label,
    logit: cosine(vector, labelVector) / TEMPERATURE,
  }))
  const max = Math.max(...logits.map((entry) => entry.logit))
  const exps = logits.map((entry) => ({label: entry.label, weight: Math.exp(entry.logit - max)}))
  const total = exps.reduce((sum, entry) => sum + entry.weight, 0)
  return exps
    .map((entry) => ({label: entry.label, score: Math.round((entry.weight / total) * 1e4) / 1e4}))
    .sort((a, b) => b.score - a.score || a.label.localeCompare(b.label))
    .slice(0, top)
}
