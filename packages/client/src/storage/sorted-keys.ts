/**
 * A sorted set of string keys in UTF-16 code unit order (the KVStore
 * contract's order, as `<` on strings), for prefix scans without walking or
 * sorting every key. Keys are kept in blocks of at most `MAX_BLOCK`: adding
 * or deleting a key moves at most one block, finding a key is two binary
 * searches, and listing the keys under a prefix costs O(log n + matches).
 */
const MAX_BLOCK = 512

/** First index in sorted `keys` whose key is >= `key`. */
export function lowerBound(keys: string[], key: string): number {
  let lo = 0
  let hi = keys.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (keys[mid] < key) lo = mid + 1
    else hi = mid
  }
  return lo
}

export class SortedKeys {
  /** Non-empty sorted blocks; every key of a block is below every key of the next. */
  private readonly blocks: string[][] = []
  private count = 0

  constructor(keys: Iterable<string> = []) {
    const all = [...new Set(keys)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
    for (let i = 0; i < all.length; i += MAX_BLOCK / 2) this.blocks.push(all.slice(i, i + MAX_BLOCK / 2))
    this.count = all.length
  }

  get size(): number {
    return this.count
  }

  /** Index of the first block whose last key is >= `key` (blocks.length when there is none). */
  private blockFor(key: string): number {
    let lo = 0
    let hi = this.blocks.length
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      const block = this.blocks[mid]
      if (block[block.length - 1] < key) lo = mid + 1
      else hi = mid
    }
    return lo
  }

  has(key: string): boolean {
    const bi = this.blockFor(key)
    if (bi === this.blocks.length) return false
    const block = this.blocks[bi]
    return block[lowerBound(block, key)] === key
  }

  /** Adds `key`; true if it was not there. */
  add(key: string): boolean {
    if (this.blocks.length === 0) {
      this.blocks.push([key])
      this.count = 1
      return true
    }
    let bi = this.blockFor(key)
    if (bi === this.blocks.length) bi -= 1 // above every key: the end of the last block
    const block = this.blocks[bi]
    const i = lowerBound(block, key)
    if (block[i] === key) return false
    if (i === block.length) block.push(key)
    else block.splice(i, 0, key)
    this.count += 1
    if (block.length > MAX_BLOCK) this.blocks.splice(bi + 1, 0, block.splice(block.length >>> 1))
    return true
  }

  /** Removes `key`; true if it was there. */
  delete(key: string): boolean {
    const bi = this.blockFor(key)
    if (bi === this.blocks.length) return false
    const block = this.blocks[bi]
    const i = lowerBound(block, key)
    if (block[i] !== key) return false
    block.splice(i, 1)
    this.count -= 1
    if (block.length === 0) this.blocks.splice(bi, 1)
    return true
  }

  /** The keys that start with `prefix`, ascending. */
  withPrefix(prefix: string): string[] {
    const out: string[] = []
    let bi = this.blockFor(prefix)
    if (bi === this.blocks.length) return out
    let i = lowerBound(this.blocks[bi], prefix)
    for (; bi < this.blocks.length; bi++, i = 0) {
      const block = this.blocks[bi]
      for (; i < block.length; i++) {
        if (!block[i].startsWith(prefix)) return out
        out.push(block[i])
      }
    }
    return out
  }

  /** True if some key starts with `prefix`. */
  hasPrefix(prefix: string): boolean {
    const bi = this.blockFor(prefix)
    if (bi === this.blocks.length) return false
    const block = this.blocks[bi]
    const i = lowerBound(block, prefix)
    return i < block.length && block[i].startsWith(prefix)
  }
}
