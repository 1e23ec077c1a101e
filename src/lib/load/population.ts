// The users a run acts as, with their quota tiers and API keys, and the content they ask about.
// Popularity is Zipf-skewed so hot users hit their quotas the way real hot users do; which user is
// hot is decided by a seeded shuffle, so it does not depend on the order of the credentials file.
import {SeededRandom} from '../random/seeded.js'
import {ZipfSampler} from './zipf.js'

export interface PopulationUser {
  id: string
  tier: string
  apiKey?: string
}

export interface CatalogueSpec {
  count: number
  prefix: string
  zipf: number
}

export class Population {
  private readonly byRank: PopulationUser[]
  private readonly users: ZipfSampler
  private readonly content: ZipfSampler

  constructor(
    users: readonly PopulationUser[],
    zipfExponent: number,
    private readonly catalogue: CatalogueSpec,
    seed: number,
  ) {
    if (users.length === 0) throw new Error('a population needs at least one user')
    this.byRank = shuffle(users, new SeededRandom(seed, 'population'))
    this.users = new ZipfSampler(this.byRank.length, zipfExponent)
    this.content = new ZipfSampler(Math.max(1, catalogue.count), catalogue.zipf)
  }

  get size(): number {
    return this.byRank.length
  }

  pickUser(random: SeededRandom): PopulationUser {
    return this.byRank[this.users.sample(random)]!
  }

  pickContent(random: SeededRandom): string {
    return `${this.catalogue.prefix}${this.content.sample(random) + 1}`
  }

  /** Share of requests the user at `rank` (0 = hottest) receives. */
  shareOfRank(rank: number): number {
    return this.users.probability(rank)
  }

  userAtRank(rank: number): PopulationUser {
    return this.byRank[rank]!
  }
}

/** Users for targets without provisioned credentials: `user-1` … `user-N`, one tier. */
export function syntheticUsers(count: number, tier = 'default'): PopulationUser[] {
  return Array.from({length: count}, (_, index) => ({id: `user-${index + 1}`, tier}))
}

function shuffle<T>(items: readonly T[], random: SeededRandom): T[] {
  const out = [...items]
  for (let index = out.length - 1; index > 0; index--) {
    const other = Math.floor(random.next() * (index + 1))
    ;[out[index], out[other]] = [out[other]!, out[index]!]
  }
  return out
}
