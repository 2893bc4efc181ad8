/**
 * Marks version needs of an ELF64 little-endian shared object as weak, so the dynamic loader
 * accepts it on a system whose libraries lack those versions (glibc's loader only warns about a
 * missing weak version, and only under `ldd -v`). The symbols of those versions must then come
 * from elsewhere: see jazzer-runtime.ts, which preloads a small library that defines them.
 *
 * Byte grammar (ELF64, little-endian; offsets in bytes):
 *
 *   ELF header   e_shoff u64 at 0x28, e_shentsize u16 at 0x3a, e_shnum u16 at 0x3c
 *   Section      sh_type u32 at 4, sh_offset u64 at 0x18, sh_link u32 at 0x28, sh_info u32 at 0x2c
 *   .gnu.version_r (sh_type 0x6ffffffe; sh_link = its string table; sh_info = entries)
 *     Verneed    vn_version u16, vn_cnt u16, vn_file u32, vn_aux u32, vn_next u32
 *     Vernaux    vna_hash u32, vna_flags u16 (2 = VER_FLG_WEAK), vna_other u16, vna_name u32, vna_next u32
 */

const SHT_GNU_VERNEED = 0x6ffffffe
const VER_FLG_WEAK = 0x2

/** A version a shared object needs from a library. */
export interface VersionNeed {
  /** The library, as the object names it (`libc.so.6`). */
  readonly file: string
  /** The version (`GLIBC_2.38`). */
  readonly version: string
  readonly weak: boolean
}

/**
 * The version needs of `elf`; with `weaken`, the needs whose version is in it are marked weak
 * in place.
 *
 * @example
 * const needs = versionNeeds(addon, new Set(['GLIBC_2.38'])) // addon now loads on glibc 2.36
 */
export function versionNeeds(elf: Buffer, weaken: ReadonlySet<string> = new Set()): VersionNeed[] {
  if (elf.readUInt32BE(0) !== 0x7f454c46 || elf[4] !== 2 || elf[5] !== 1) throw new Error('not an ELF64 little-endian object')
  const sectionsAt = Number(elf.readBigUInt64LE(0x28))
  const sectionBytes = elf.readUInt16LE(0x3a)
  const sectionCount = elf.readUInt16LE(0x3c)
  const section = (index: number) => {
    const at = sectionsAt + index * sectionBytes
    return { type: elf.readUInt32LE(at + 4), offset: Number(elf.readBigUInt64LE(at + 0x18)), link: elf.readUInt32LE(at + 0x28), info: elf.readUInt32LE(at + 0x2c) }
  }
  const needs: VersionNeed[] = []
  for (let index = 0; index < sectionCount; index++) {
    const verneed = section(index)
    if (verneed.type !== SHT_GNU_VERNEED) continue
    const strings = section(verneed.link).offset
    const text = (at: number): string => elf.toString('latin1', strings + at, elf.indexOf(0, strings + at))
    let need = verneed.offset
    for (let entry = 0; entry < verneed.info; entry++) {
      const file = text(elf.readUInt32LE(need + 4))
      let aux = need + elf.readUInt32LE(need + 8)
      for (let count = elf.readUInt16LE(need + 2); count > 0; count--) {
        const version = text(elf.readUInt32LE(aux + 8))
        if (weaken.has(version)) elf.writeUInt16LE(elf.readUInt16LE(aux + 4) | VER_FLG_WEAK, aux + 4)
        needs.push({ file, version, weak: (elf.readUInt16LE(aux + 4) & VER_FLG_WEAK) !== 0 })
        aux += elf.readUInt32LE(aux + 12)
      }
      need += elf.readUInt32LE(need + 12)
    }
  }
  return needs
}
