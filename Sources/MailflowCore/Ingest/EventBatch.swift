import MailflowScanner

/// A byte range inside an ``EventBatch``'s arena; `length < 0` stands for NULL.
struct ArenaSlice {
    var offset: Int32
    var length: Int32
    static let null = ArenaSlice(offset: 0, length: -1)
    var isNull: Bool { length < 0 }
}

/// One event as the writer thread receives it: owned copies of its text in the batch's
/// arena, with the 64-bit keys used to intern them already computed.
struct BatchRow {
    var timeMs: Int64 = 0
    var line: Int32 = 0
    var kind: EventKind = .other
    var needsEarlierCause = false
    var reply: Int16 = -1
    var enhanced: EnhancedStatusCode?
    /// Index into ``EventBatch/causes``, or -1.
    var cause: Int32 = -1
    var rawEvent = ArenaSlice.null
    var source = ArenaSlice.null
    var connector = ArenaSlice.null
    var messageID = ArenaSlice.null
    var sender = ArenaSlice.null
    var recipient = ArenaSlice.null
    var domain = ArenaSlice.null
    var status = ArenaSlice.null
    var host = ArenaSlice.null
    var ip = ArenaSlice.null
    var connectorKey: UInt64 = 0
    var messageKey: UInt64 = 0
    var senderKey: UInt64 = 0
    var recipientKey: UInt64 = 0
    var domainKey: UInt64 = 0
    var statusKey: UInt64 = 0
    var hostKey: UInt64 = 0
    var ipKey: UInt64 = 0
    /// Key of (raw event, source), for table `event_name`.
    var nameKey: UInt64 = 0
    /// `message.id`, assigned on the decoding thread; 0 without a message id.
    var messageRef: Int64 = 0
    /// The message was first seen in this row: the writer inserts its `message` row.
    var newMessage = false
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
    var issues: [ScanIssue] = []
    /// Records kept and rejected in this batch, and their time range.
    var records = 0
    var rejected = 0
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
        issues.removeAll(keepingCapacity: true)
        records = 0
        rejected = 0
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

    @inline(__always)
    private func keyed(_ bytes: UnsafeRawBufferPointer, _ slice: inout ArenaSlice, _ key: inout UInt64) {
        if bytes.isEmpty { return }
        slice = copy(bytes)
        key = hash64(bytes)
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
        if !e.rawEvent.isEmpty { row.rawEvent = copy(e.rawEvent) }
        if !e.source.isEmpty { row.source = copy(e.source) }
        row.nameKey = hash64(e.rawEvent) &* 31 &+ hash64(e.source)
        keyed(e.connector, &row.connector, &row.connectorKey)
        keyed(e.messageID, &row.messageID, &row.messageKey)
        keyed(e.sender, &row.sender, &row.senderKey)
        if let recipient = e.recipient, !recipient.isEmpty {
            keyed(recipient, &row.recipient, &row.recipientKey)
            if let at = recipient.lastIndex(of: UInt8(ascii: "@")), at + 1 < recipient.count {
                var domain = UnsafeRawBufferPointer(rebasing: recipient[(at + 1)...])
                if domain.last == UInt8(ascii: ">") { domain = UnsafeRawBufferPointer(rebasing: domain.dropLast()) }
                if !domain.isEmpty {
                    row.domain = copy(domain, lowercased: true)
                    row.domainKey = hash64(bytes(row.domain))
                }
            }
        }
        keyed(e.statusText, &row.status, &row.statusKey)
        keyed(e.remoteHost, &row.host, &row.hostKey)
        keyed(e.remoteIP, &row.ip, &row.ipKey)
        context.assignMessage(&row)
        context.countRollup(row)
        rows.append(row)
    }
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
