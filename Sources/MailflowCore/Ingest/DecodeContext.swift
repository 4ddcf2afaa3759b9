/// State the decoding thread owns while one file is decoded, and the writer reads between
/// files: message references (assigned here, so the writer does not look messages up) and
/// the file's daily rollup counters.
///
/// Only one thread touches it at a time: the decoding worker while a file runs, the writer
/// after ``DecodePipeline/run(store:)`` has returned.
final class DecodeContext: @unchecked Sendable {
    /// Ids of the values of one dimension table, by ``hash64(_:)`` of the value, and the next
    /// free id. Loaded from the database by the writer, extended by the decoding thread.
    final class DimensionMap {
        var ids = KeyMap<Int64>()
        var next: Int64 = 1

        /// Gives `key` the next free id.
        func add(_ key: UInt64) -> Int64 {
            let id = next
            next += 1
            ids[key] = id
            return id
        }
    }

    /// One ``DimensionMap`` per ``Dimension`` (classes held in `let`s: no reference
    /// counting on the per-event path).
    let connectors = DimensionMap()
    let domains = DimensionMap()
    let addresses = DimensionMap()
    let hosts = DimensionMap()
    let statuses = DimensionMap()
    let eventNames = DimensionMap()

    func map(_ d: Dimension) -> DimensionMap {
        switch d {
        case .connector: return connectors
        case .domain: return domains
        case .address: return addresses
        case .host: return hosts
        case .status: return statuses
        case .eventName: return eventNames
        }
    }

    struct MessageState {
        var ref: Int64
        var firstMs: Int64
        var firstChanged = false
        /// File (generation) the rollup fingerprints below belong to.
        var generation: UInt32 = 0
        /// 32-bit fingerprints of the rollup keys this message was counted in, in this
        /// file: the distinct-message count needs no second lookup for most messages.
        var counted0: UInt32 = 0
        var counted1: UInt32 = 0
        var counted2: UInt32 = 0
        var counted3: UInt32 = 0
        /// The message row has its Message-ID (false for a Postfix queue id met before its
        /// cleanup line).
        var hasMessageID = true
        /// Connector of the message's latest deferral: a whole-message expiry (Postfix),
        /// which names no next hop, is counted under it.
        var lastConnector: Int64 = 0

        init(ref: Int64, firstMs: Int64, hasMessageID: Bool = true) {
            self.ref = ref
            self.firstMs = firstMs
            self.hasMessageID = hasMessageID
        }

        /// Records `fingerprint`; returns true when it was new, nil when all slots are taken.
        mutating func noteCounted(_ fingerprint: UInt32, generation g: UInt32) -> Bool? {
            if generation != g {
                generation = g
                counted0 = fingerprint; counted1 = 0; counted2 = 0; counted3 = 0
                return true
            }
            if counted0 == fingerprint || counted1 == fingerprint || counted2 == fingerprint || counted3 == fingerprint { return false }
            if counted1 == 0 { counted1 = fingerprint; return true }
            if counted2 == 0 { counted2 = fingerprint; return true }
            if counted3 == 0 { counted3 = fingerprint; return true }
            return nil
        }
    }

    struct RollupKey: Hashable {
        var day: Int32
        var kind: UInt8
        var connector: Int64
        var code: UInt32
    }

    struct RollupCounter {
        var key: RollupKey
        var code: EnhancedStatusCode?
        var events = 0
        /// Distinct message references counted for this key.
        var messages = 0
    }

    /// Messages known in this run (and preloaded recent ones), by ``hash64(_:)`` of their id.
    var messages = KeyMap<MessageState>(capacity: 1 << 16)
    var nextMessageRef: Int64 = 1
    /// Rollup counters of the current file, found through ``rollupIndex``.
    private(set) var rollups: [RollupCounter] = []
    private var rollupIndex = KeyMap<Int>()
    /// (rollup key, message) pairs already counted, for messages in more than four
    /// rollups of one file (see ``MessageState``).
    private var rollupMessages = KeySet(capacity: 1 << 10)
    /// Current file's generation (a new one per file: rollups are per file).
    private var generation: UInt32 = 1

    /// Sent events per (day, connector, remote host) of the current file.
    struct HopCounter {
        var day: Int32
        var connector: Int64
        var host: Int64
        var events = 0
    }
    private(set) var hops: [HopCounter] = []
    private var hopIndex = KeyMap<Int>()

    func resetRollups() {
        generation &+= 1
        if generation == 0 { generation = 1 }
        hops.removeAll(keepingCapacity: true)
        hopIndex.removeAll()
        rollups.removeAll(keepingCapacity: true)
        rollupIndex.removeAll()
        rollupMessages.removeAll()
    }

    /// A Postfix queue id seen again this long after its message was first seen names a
    /// new message (short queue ids are reused; Postfix keeps a message at most
    /// `maximal_queue_lifetime`, 5 days by default).
    static let queueIDReuseMs: Int64 = 30 * 86_400_000

    /// Gives `row` its message reference, creating one for a message not seen before.
    /// - Parameters:
    ///   - hasMessageID: the row carries the Message-ID text.
    ///   - reuseAfterMs: a key first seen longer ago than this starts a new message.
    @inline(__always)
    func assignMessage(_ row: inout BatchRow, hasMessageID: Bool, reuseAfterMs: Int64 = .max) {
        guard row.messageKey != 0 else { return }
        if var m = messages[row.messageKey], row.timeMs - m.firstMs <= reuseAfterMs {
            row.messageRef = m.ref
            var changed = false
            if row.timeMs < m.firstMs {
                m.firstMs = row.timeMs
                m.firstChanged = true
                changed = true
            }
            if hasMessageID && !m.hasMessageID {
                m.hasMessageID = true
                row.attachMessageID = true
                changed = true
            }
            if changed { messages[row.messageKey] = m }
            return
        }
        let ref = nextMessageRef
        nextMessageRef += 1
        messages[row.messageKey] = MessageState(ref: ref, firstMs: row.timeMs, hasMessageID: hasMessageID)
        row.messageRef = ref
        row.newMessage = true
    }

    /// Counts `row` in the rollup of its UTC day, connector, kind and enhanced code.
    @inline(__always)
    func countRollup(_ row: BatchRow) {
        let day = Int32(Timestamp.dayNumber(row.timeMs))
        let connectorKey = UInt64(bitPattern: row.connectorID)
        let code = row.enhanced?.packed ?? 0
        let hash = mixKeys(mixKeys(UInt64(UInt32(bitPattern: day)) << 40 | UInt64(row.kind.rawValue) << 32 | UInt64(code), connectorKey), 0x5EED)
        let index: Int
        if let i = rollupIndex[hash] {
            index = i
        } else {
            index = rollups.count
            rollups.append(RollupCounter(
                key: RollupKey(day: day, kind: UInt8(row.kind.rawValue), connector: row.connectorID, code: code),
                code: row.enhanced))
            rollupIndex[hash] = index
        }
        rollups[index].events += 1
        if row.messageRef != 0 {
            let fingerprint = UInt32(truncatingIfNeeded: hash >> 32) | 1
            let g = generation
            let noted = messages.update(row.messageKey) { $0.noteCounted(fingerprint, generation: g) } ?? nil
            let isNew = noted ?? rollupMessages.insert(mixKeys(hash, UInt64(bitPattern: row.messageRef)))
            if isNew { rollups[index].messages += 1 }
        }
        if row.kind == .sent && row.hostID != 0 {
            let hopKey = mixKeys(mixKeys(UInt64(UInt32(bitPattern: day)), connectorKey), UInt64(bitPattern: row.hostID))
            if let i = hopIndex[hopKey] {
                hops[i].events += 1
            } else {
                hopIndex[hopKey] = hops.count
                hops.append(HopCounter(day: day, connector: row.connectorID, host: row.hostID, events: 1))
            }
        }
    }
}

/// The interned dimension tables (`schema.sql`), in ``DecodeContext/dimensions`` order.
enum Dimension: Int, CaseIterable {
    case connector, domain, address, host, status, eventName

    var table: String {
        switch self {
        case .connector: return "connector"
        case .domain: return "domain"
        case .address: return "address"
        case .host: return "host"
        case .status: return "status"
        case .eventName: return "event_name"
        }
    }
}
