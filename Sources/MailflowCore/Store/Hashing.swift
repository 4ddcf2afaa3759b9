/// 64-bit FNV-1a (Fowler/Noll/Vo) of bytes: stable across runs and machines, used for
/// message keys and file fingerprints (not for security).
@inline(__always)
func fnv1a64(_ bytes: UnsafeRawBufferPointer, seed: UInt64 = 0xcbf2_9ce4_8422_2325) -> UInt64 {
    var h = seed
    for b in bytes {
        h ^= UInt64(b)
        h &*= 0x0000_0100_0000_01B3
    }
    return h
}
