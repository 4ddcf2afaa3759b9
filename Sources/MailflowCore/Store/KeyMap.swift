/// An open-addressing hash map from 64-bit keys that are already well mixed hashes
/// (``hash64(_:)``) to values: no re-hashing, no per-entry allocation. Key 0 is reserved.
struct KeyMap<Value> {
    /// Key and value side by side: one cache miss per lookup in a large map.
    private struct Slot {
        var key: UInt64
        var value: Value?
    }

    private var slots: [Slot]
    private var mask: Int
    private(set) var count = 0

    init(capacity: Int = 1024) {
        let size = tableSize(forCapacity: capacity)
        slots = [Slot](repeating: Slot(key: 0, value: nil), count: size)
        mask = size - 1
    }

    @inline(__always)
    private func slot(_ key: UInt64) -> Int {
        var i = Int(truncatingIfNeeded: key) & mask
        while true {
            let k = slots[i].key
            if k == key || k == 0 { return i }
            i = (i + 1) & mask
        }
    }

    subscript(key: UInt64) -> Value? {
        @inline(__always) get {
            let k = key == 0 ? 1 : key
            let i = slot(k)
            return slots[i].key == k ? slots[i].value : nil
        }
        set {
            let k = key == 0 ? 1 : key
            var i = slot(k)
            if slots[i].key == k {
                slots[i].value = newValue  // a removed key keeps its slot with a nil value
                return
            }
            guard let newValue else { return }
            if (count + 1) * 2 > slots.count {
                grow()
                i = slot(k)
            }
            slots[i] = Slot(key: k, value: newValue)
            count += 1
        }
    }

    private mutating func grow() {
        let old = slots
        slots = [Slot](repeating: Slot(key: 0, value: nil), count: old.count * 2)
        mask = slots.count - 1
        for s in old where s.key != 0 {
            slots[slot(s.key)] = s
        }
    }

    mutating func removeAll() {
        for i in slots.indices { slots[i] = Slot(key: 0, value: nil) }
        count = 0
    }

    /// Runs `body` on the value of `key` in place (one probe); nil when `key` is absent.
    @inline(__always)
    mutating func update<R>(_ key: UInt64, _ body: (inout Value) -> R) -> R? {
        let k = key == 0 ? 1 : key
        let i = slot(k)
        guard slots[i].key == k, slots[i].value != nil else { return nil }
        return body(&slots[i].value!)
    }

    /// Calls `body` for every present entry.
    func forEach(_ body: (UInt64, Value) throws -> Void) rethrows {
        for s in slots where s.key != 0 {
            if let v = s.value { try body(s.key, v) }
        }
    }
}

/// An open-addressing set of 64-bit keys that are already well mixed hashes. Key 0 is
/// reserved (mapped to 1).
struct KeySet {
    private var keys: [UInt64]
    private var mask: Int
    private(set) var count = 0

    init(capacity: Int = 1024) {
        let size = tableSize(forCapacity: capacity)
        keys = [UInt64](repeating: 0, count: size)
        mask = size - 1
    }

    /// Inserts `key`; returns true when it was not there before.
    @inline(__always)
    mutating func insert(_ key: UInt64) -> Bool {
        let k = key == 0 ? 1 : key
        var i = Int(truncatingIfNeeded: k) & mask
        while true {
            let existing = keys[i]
            if existing == k { return false }
            if existing == 0 { break }
            i = (i + 1) & mask
        }
        keys[i] = k
        count += 1
        if count * 2 > keys.count { grow() }
        return true
    }

    private mutating func grow() {
        let old = keys
        keys = [UInt64](repeating: 0, count: old.count * 2)
        mask = keys.count - 1
        for k in old where k != 0 {
            var i = Int(truncatingIfNeeded: k) & mask
            while keys[i] != 0 { i = (i + 1) & mask }
            keys[i] = k
        }
    }

    mutating func removeAll() {
        keys = [UInt64](repeating: 0, count: 1024)
        mask = keys.count - 1
        count = 0
    }
}

/// Mixes two 64-bit values into one well-spread key (splitmix64 finaliser).
@inline(__always)
func mixKeys(_ a: UInt64, _ b: UInt64) -> UInt64 {
    var z = a ^ (b &* 0x9E37_79B9_7F4A_7C15) &+ 0x632B_E59B_D9B4_E019
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
}

/// Slots for `capacity` entries at a load of at most one half: a power of two, at least 16.
func tableSize(forCapacity capacity: Int) -> Int {
    var size = 16
    while size < capacity * 2 { size <<= 1 }
    return size
}
