import MailflowScanner

/// A byte range inside an ``EventBatch``'s arena; `length < 0` stands for NULL.
struct ArenaSlice {
    var offset: Int32
    var length: Int32
    static let null = ArenaSlice(offset: 0, length: -1)
    var isNull: Bool { length < 0 }
}

/// One event as the writer thread receives it: every text already interned to its
/// dimension id on the decoding thread (0 = NULL).
struct BatchRow {
    var timeMs: Int64 = 0
    var line: Int32 = 0
    var kind: EventKind = .other
    var needsEarlierCause = false
    var reply: Int16 = -1
    var enhanced: EnhancedStatusCode?
    /// Index into ``EventBatch/causes``, or -1.
    var cause: Int32 = -1
    var nameID: Int64 = 0
    var connectorID: Int64 = 0
    var senderID: Int64 = 0
    var recipientID: Int64 = 0
    var domainID: Int64 = 0
    var statusID: Int64 = 0
    var hostID: Int64 = 0
    var ipID: Int64 = 0
    var hasRecipient = false
    /// ``hash64(_:)`` of the message id; 0 without one.
    var messageKey: UInt64 = 0
    /// `message.id`, assigned on the decoding thread; 0 without a message id.
    var messageRef: Int64 = 0
    /// The message was first seen in this row: the writer inserts its `message` row from
    /// ``messageID``.
    var newMessage = false
    var messageID = ArenaSlice.null
    /// Postfix queue id of the message (stored with a new message).
    var queueID = ArenaSlice.null
    /// The message row exists without a Message-ID and this row brings it.
    var attachMessageID = false
    /// The whole message expires (``DeliveryEvent/expiresMessage``).
    var expiresMessage = false
}

/// A dimension value first met in a batch: the writer inserts it (with the id the decoding
/// thread gave it) before the batch's events.
struct NewDimensionValue {
    var dimension: Dimension
    var id: Int64
    var text: ArenaSlice
    /// `event_name.source` (the other column of an event name).
    var second = ArenaSlice.null
}

/// A batch of decoded events handed from the decoding thread to the writer thread.
/// The decoding thread fills it through ``EventSink``; the writer reads it; then it goes
/// back to the pool. Never shared by two threads at once.
final class EventBatch: EventSink, @unchecked Sendable {
    /// Events per batch before it is handed over.
    static let capacity = 4096

    private(set) var arena: UnsafeMutableRawPointer
    private(set) var arenaCapacity: Int
    private(set) var arenaUsed = 0
    var rows: [BatchRow] = []
    var causes: [String] = []
    var newValues: [NewDimensionValue] = []
    var issues: [ScanIssue] = []
    private var lowerScratch = [UInt8](repeating: 0, count: 256)
    /// Records kept and rejected in this batch, and their time range.
    var records = 0
    var rejected = 0
    /// Lines of other programs skipped (Postfix maillog).
    var skipped = 0
    var firstMs: Int64?
    var lastMs: Int64?

    /// Message references and rollups (owned by the decoding thread while it fills batches).
    let context: DecodeContext

    init(context: DecodeContext) {
        self.context = context
        arenaCapacity = 1 << 20
        arena = .allocate(byteCount: arenaCapacity, alignment: 8)
        rows.reserveCapacity(Self.capacity)
    }

    deinit { arena.deallocate() }

    func reset() {
        arenaUsed = 0
        rows.removeAll(keepingCapacity: true)
        causes.removeAll(keepingCapacity: true)
        newValues.removeAll(keepingCapacity: true)
        issues.removeAll(keepingCapacity: true)
        records = 0
        rejected = 0
        skipped = 0
        firstMs = nil
        lastMs = nil
    }

    var isFull: Bool { rows.count >= Self.capacity || issues.count >= Self.capacity }

    /// The bytes of `slice` (valid until ``reset()``).
    @inline(__always)
    func bytes(_ slice: ArenaSlice) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: arena + Int(slice.offset), count: max(0, Int(slice.length)))
    }

    @inline(__always)
    private func copy(_ bytes: UnsafeRawBufferPointer, lowercased: Bool = false) -> ArenaSlice {
        let n = bytes.count
        if arenaUsed + n > arenaCapacity { grow(arenaUsed + n) }
        let dst = arena + arenaUsed
        if n > 0 {
            if lowercased {
                let out = dst.assumingMemoryBound(to: UInt8.self)
                for i in 0..<n { out[i] = asciiLowerByte(bytes[i]) }
            } else {
                dst.copyMemory(from: bytes.baseAddress!, byteCount: n)
            }
        }
        let slice = ArenaSlice(offset: Int32(arenaUsed), length: Int32(n))
        arenaUsed += n
        return slice
    }

    private func grow(_ needed: Int) {
        var capacity = arenaCapacity * 2
        while capacity < needed { capacity *= 2 }
        let bigger = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 8)
        bigger.copyMemory(from: arena, byteCount: arenaUsed)
        arena.deallocate()
        arena = bigger
        arenaCapacity = capacity
    }

    /// The dimension id of `bytes` (0 for empty), creating it when first met.
    @inline(__always)
    private func intern(_ map: DecodeContext.DimensionMap, _ dimension: Dimension, _ bytes: UnsafeRawBufferPointer) -> Int64 {
        if bytes.isEmpty { return 0 }
        let key = hash64(bytes)
        if let id = map.ids[key] { return id }
        let id = map.add(key)
        newValues.append(NewDimensionValue(dimension: dimension, id: id, text: copy(bytes)))
        return id
    }

    func write(_ e: inout DeliveryEvent) throws {
        var row = BatchRow()
        row.timeMs = e.timeMs
        row.line = Int32(truncatingIfNeeded: e.line)
        row.kind = e.kind
        row.needsEarlierCause = e.needsEarlierCause
        row.reply = e.replyCode.map { Int16(truncatingIfNeeded: $0) } ?? -1
        row.enhanced = e.enhancedCode
        if let cause = e.rootCause {
            row.cause = Int32(causes.count)
            causes.append(cause)
        }
        let nameKey = eventNameKey(e.rawEvent, e.source)
        let ctx = context
        if let id = ctx.eventNames.ids[nameKey] {
            row.nameID = id
        } else {
            row.nameID = ctx.eventNames.add(nameKey)
            newValues.append(NewDimensionValue(
                dimension: .eventName, id: row.nameID, text: e.rawEvent.isEmpty ? .null : copy(e.rawEvent),
                second: e.source.isEmpty ? .null : copy(e.source)))
        }
        row.connectorID = intern(ctx.connectors, .connector, e.connector)
        row.senderID = intern(ctx.addresses, .address, e.sender)
        if let recipient = e.recipient, !recipient.isEmpty {
            row.hasRecipient = true
            row.recipientID = intern(ctx.addresses, .address, recipient)
            if let at = recipient.lastIndex(of: UInt8(ascii: "@")), at + 1 < recipient.count {
                var domain = UnsafeRawBufferPointer(rebasing: recipient[(at + 1)...])
                if domain.last == UInt8(ascii: ">") { domain = UnsafeRawBufferPointer(rebasing: domain.dropLast()) }
                if !domain.isEmpty {
                    if domain.count > lowerScratch.count { lowerScratch = [UInt8](repeating: 0, count: domain.count) }
                    row.domainID = lowerScratch.withUnsafeMutableBytes { out in
                        for i in 0..<domain.count { out[i] = asciiLowerByte(domain[i]) }
                        return intern(ctx.domains, .domain, UnsafeRawBufferPointer(rebasing: out[0..<domain.count]))
                    }
                }
            }
        }
        row.statusID = intern(ctx.statuses, .status, e.statusText)
        row.hostID = intern(ctx.hosts, .host, e.remoteHost)
        row.ipID = intern(ctx.hosts, .host, e.remoteIP)
        row.expiresMessage = e.expiresMessage
        if !e.queueID.isEmpty {
            // Postfix: the queue id names the message; its Message-ID comes later (cleanup).
            row.messageKey = mixKeys(hash64(e.queueID), 0x5155_4555_4549_4400)
            context.assignMessage(&row, hasMessageID: !e.messageID.isEmpty, reuseAfterMs: DecodeContext.queueIDReuseMs)
            if row.newMessage {
                row.queueID = copy(e.queueID)
                if !e.messageID.isEmpty { row.messageID = copy(e.messageID) }
            } else if row.attachMessageID {
                row.messageID = copy(e.messageID)
            }
        } else if !e.messageID.isEmpty {
            row.messageKey = hash64(e.messageID)
            context.assignMessage(&row, hasMessageID: true)
            if row.newMessage { row.messageID = copy(e.messageID) }
        }
        if row.messageRef != 0 && (row.kind == .deferred || row.expiresMessage) {
            if row.kind == .deferred && row.connectorID != 0 {
                let c = row.connectorID
                context.messages.update(row.messageKey) { $0.lastConnector = c }
            } else if row.expiresMessage && row.connectorID == 0, let m = context.messages[row.messageKey] {
                row.connectorID = m.lastConnector
            }
        }
        context.countRollup(row)
        rows.append(row)
    }
}

/// The key of an event name: (raw event, source) as logged.
@inline(__always)
func eventNameKey(_ rawEvent: UnsafeRawBufferPointer, _ source: UnsafeRawBufferPointer) -> UInt64 {
    hash64(rawEvent) &* 31 &+ hash64(source)
}

/// A 64-bit hash of bytes, eight at a time (multiply-xorshift mixing): stable across runs
/// and machines; used as interning key (not for security).
@inline(__always)
func hash64(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
    let n = bytes.count
    var h: UInt64 = 0x243F_6A88_85A3_08D3 ^ (UInt64(n) &* 0x9E37_79B9_7F4A_7C15)
    guard n > 0, let base = bytes.baseAddress else { return h }
    var i = 0
    while i + 8 <= n {
        let w = base.loadUnaligned(fromByteOffset: i, as: UInt64.self).littleEndian
        h = (h ^ w) &* 0xFF51_AFD7_ED55_8CCD
        h ^= h >> 32
        i += 8
    }
    if i < n {
        var w: UInt64 = 0
        var shift: UInt64 = 0
        while i < n {
            w |= UInt64(base.load(fromByteOffset: i, as: UInt8.self)) << shift
            shift += 8
            i += 1
        }
        h = (h ^ w) &* 0xC4CE_B9FE_1A85_EC53
        h ^= h >> 29
    }
    h ^= h >> 33
    h &*= 0xFF51_AFD7_ED55_8CCD
    h ^= h >> 33
    return h
}
