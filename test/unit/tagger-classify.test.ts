import {describe, expect, it} from 'vitest'
import {classify, LABEL_DESCRIPTIONS, videoText} from '../../src/services/tagger/classify.js'

describe('zero-shot tagging', () => {
  it('labels a video by the words of its id and metadata', () => {
    expect(classify(videoText('football-cup-final-highlights'))[0]!.label).toBe('sports')
    expect(
      classify(videoText('v123', {title: 'Election night: breaking news from the world', tags: ['politics']}))[0]!
        .label,
    ).toBe('news')
    expect(
      classify(videoText('v9', {title: 'Standup special', genres: ['comedy'], description: 'a funny sketch'}))[0]!
        .label,
    ).toBe('comedy')
  })

  it('scores every label, summing to one, best first, and gives the same answer every time', () => {
    const labels = classify('guitar concert live album')
    expect(labels.map((label) => label.label).sort()).toEqual(Object.keys(LABEL_DESCRIPTIONS).sort())
    expect(labels.reduce((sum, label) => sum + label.score, 0)).toBeCloseTo(1, 2)
    expect(labels[0]!.label).toBe('music')
    for (let index = 1; index < labels.length; index++)
      expect(labels[index - 1]!.score).toBeGreaterThanOrEqual(labels[index]!.score)
    expect(classify('guitar concert live album')).toEqual(labels)
    expect(classify('guitar concert live album', 3)).toEqual(labels.slice(0, 3))
  })
})
