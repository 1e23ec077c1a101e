import type {Component} from './manifest.js'

/**
 * Components in start-up waves: each wave depends only on earlier ones, so a wave starts in
 * parallel once the previous one is healthy. (The manifest validator has already ruled out cycles.)
 */
export function startWaves(components: Component[]): Component[][] {
  const waves: Component[][] = []
  const placed = new Set<string>()
  let remaining = [...components]
  while (remaining.length > 0) {
    const wave = remaining.filter((component) => component.dependsOn.every((dependency) => placed.has(dependency)))
    if (wave.length === 0)
      throw new Error(`dependency cycle among ${remaining.map((component) => component.name).join(', ')}`)
    waves.push(wave)
    for (const component of wave) placed.add(component.name)
    remaining = remaining.filter((component) => !placed.has(component.name))
  }
  return waves
}
