/// Transcodes a UTF-16 byte stream to UTF-8 as it is read, so that the scanner (which only
/// reads UTF-8) can ingest UTF-16 logs.
///
/// UTF-16 and its byte orders are defined by RFC 2781; UTF-8 by RFC 3629. The output is the
/// UTF-8 form of every code point, with two deliberate exceptions that keep damage visible
/// to the scanner instead of hiding it behind U+FFFD:
/// - an unpaired surrogate (a high one not followed by a low one, a lone low one, or a high
///   one at the end of the input) is written as its 3-byte generalized UTF-8 form
///   (`ED A0 80` through `ED BF BF`), which RFC 3629 section 3 forbids: the scanner reports
///   the line as `invalid-utf8` and keeps the record;
/// - an odd final byte (a file cut in the middle of a code unit) is written as that one raw
///   byte.
///
/// A U+FEFF first code unit is dropped when `skipsBOM` (it is the file's byte order mark,
/// not content); a U+FEFF anywhere else is transcoded (`EF BB BF`) and left to the scanner,
/// which drops it at the start of a line.
///
/// Offsets: the scanner counts bytes of the UTF-8 output; ``originalOffset(ofOutputOffset:)``
/// turns such an offset back into a byte offset in the UTF-16 input, for error reports.
///
/// All buffers are allocated once, in `init`: 128 KiB for input and a ring of 65,536 line
/// start checkpoints (1.5 MiB). `read(into:)` allocates nothing.
public final class UTF16ByteSource: ByteSource {
    private let inner: ByteSource
    private let bigEndian: Bool
    private let skipsBOM: Bool

    // Input: bytes `inPos..<inEnd` of `input` are read from `inner` and not yet transcoded
    // (at most 3 of them stay behind between reads: an odd byte or a high surrogate waiting
    // for its low half). `inputBase` is the offset in the UTF-16 input of `input[0]`.
    private let input: UnsafeMutableRawBufferPointer
    private var inPos = 0
    private var inEnd = 0
    private var inputBase: Int64 = 0
    private var innerEOF = false
    private var bomChecked = false
    /// The last unit transcoded was U+000D and the next unit has not been seen yet.
    private var afterCR = false

    // Output generated but not yet delivered (the tail of a character that did not fit in
    // the caller's buffer), first byte in the low 8 bits.
    private var pendingBytes: UInt32 = 0
    private var pendingCount = 0
    /// UTF-8 bytes generated so far, including `pendingCount` undelivered ones.
    private var produced: Int64 = 0

    // Ring of line start checkpoints: output offset, input offset, and output offset of the
    // first non-ASCII character on that line (or `Int64.max`). `ringNext` counts all
    // checkpoints ever recorded; the newest is at `(ringNext - 1) & ringMask`.
    private static let ringCapacity = 1 << 16
    private static let ringMask = ringCapacity - 1
    private let ringOut: UnsafeMutablePointer<Int64>
    private let ringIn: UnsafeMutablePointer<Int64>
    private let ringNonASCII: UnsafeMutablePointer<Int64>
    private var ringNext = 0
    private var lineHasNonASCII = false
    /// The checkpoint most recently pushed out of the ring (valid when `ringNext > capacity`).
    private var evictedOut: Int64 = 0
    private var evictedIn: Int64 = 0
    private var evictedNonASCII: Int64 = .max

    /// Bytes consumed from the underlying file so far: the inner source's value (UTF-16
    /// bytes, or compressed bytes when the inner source inflates).
    public var bytesConsumed: Int64 { inner.bytesConsumed }

    /// Line starts recorded so far (including the first line), for tests.
    var recordedLineStarts: Int { ringNext }

    /// - Parameters:
    ///   - inner: the raw UTF-16 bytes of the file (already decompressed), BOM included.
    ///   - bigEndian: the byte order of the code units (RFC 2781 section 3: UTF-16BE or LE).
    ///   - skipsBOM: drop the first code unit when it is U+FEFF. Its 2 bytes still count in
    ///     the input offsets.
    public init(_ inner: ByteSource, bigEndian: Bool, skipsBOM: Bool) {
        self.inner = inner
        self.bigEndian = bigEndian
        self.skipsBOM = skipsBOM
        self.input = .allocate(byteCount: 128 << 10, alignment: 16)
        self.ringOut = .allocate(capacity: Self.ringCapacity)
        self.ringIn = .allocate(capacity: Self.ringCapacity)
        self.ringNonASCII = .allocate(capacity: Self.ringCapacity)
        pushCheckpoint(out: 0, in: 0)
    }

    deinit {
        input.deallocate()
        ringOut.deallocate()
        ringIn.deallocate()
        ringNonASCII.deallocate()
    }

    /// Fills `buffer` with UTF-8 (RFC 3629) transcoded from the inner source.
    ///
    /// A character may be split between two calls when the buffer ends inside it. The call
    /// returns once the buffer is full or the input read so far is used up (it reads the
    /// inner source again only while it has produced nothing).
    ///
    /// - Returns: the number of bytes written, 0 only at the end of the input (or when
    ///   `buffer` is empty).
    /// - Throws: what the inner source throws (for ``FileByteSource`` and
    ///   ``GzipByteSource``: ``ScanError``). Bytes produced before it are never lost: the
    ///   inner source is read only when this call has produced nothing yet.
    public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        let outCount = buffer.count
        guard outCount > 0, let out = buffer.baseAddress else { return 0 }
        var outPos = 0
        while pendingCount > 0 && outPos < outCount {
            out.storeBytes(of: UInt8(truncatingIfNeeded: pendingBytes), toByteOffset: outPos, as: UInt8.self)
            pendingBytes >>= 8
            pendingCount -= 1
            outPos += 1
        }
        while outPos < outCount {
            if !bomChecked {
                if inEnd - inPos >= 2 || innerEOF { checkBOM() }
            }
            if bomChecked {
                outPos = transcode(out, outPos, outCount)
                if outPos == outCount { break }
            }
            if innerEOF {
                outPos = finish(out, outPos, outCount)
                break
            }
            if outPos > 0 { break }
            try refill()
        }
        return outPos
    }

    /// The byte offset in the UTF-16 input of the character that starts at byte
    /// `outputOffset` of the UTF-8 output.
    ///
    /// Exact for the start of any of the most recent 65,536 physical lines (a line starts at
    /// offset 0, after U+000A, and after a U+000D not followed by U+000A; a skipped BOM
    /// counts 2 input bytes, so the first line starts at input 2), and for any offset in the
    /// all-ASCII beginning of such a line (input = line start + 2 × UTF-8 bytes into the
    /// line). Otherwise:
    /// - an offset inside a line after its first non-ASCII character gives the input offset
    ///   of that character (a lower bound);
    /// - an offset before the oldest line start kept uses the one line start last pushed out
    ///   of the ring when it lies at or before the offset (same rules); older still, the
    ///   answer is the input offset of the oldest line start remembered (an upper bound).
    ///
    /// Line starts are recorded as the input is read: ask after the bytes at
    /// `outputOffset` have been returned by ``read(into:)``.
    public func originalOffset(ofOutputOffset outputOffset: Int64) -> Int64 {
        let mask = Self.ringMask
        let lowest = max(0, ringNext - Self.ringCapacity)
        if outputOffset < ringOut[lowest & mask] {
            if ringNext > Self.ringCapacity && evictedOut <= outputOffset {
                return Self.map(outputOffset, evictedOut, evictedIn, evictedNonASCII)
            }
            return ringNext > Self.ringCapacity ? evictedIn : ringIn[lowest & mask]
        }
        // Last checkpoint with out <= outputOffset, in logical indices lowest..<ringNext.
        var lo = lowest, hi = ringNext - 1
        while lo < hi {
            let mid = lo + (hi - lo + 1) / 2
            if ringOut[mid & mask] <= outputOffset { lo = mid } else { hi = mid - 1 }
        }
        let slot = lo & mask
        return Self.map(outputOffset, ringOut[slot], ringIn[slot], ringNonASCII[slot])
    }

    private static func map(_ asked: Int64, _ out: Int64, _ input: Int64, _ firstNonASCII: Int64) -> Int64 {
        if asked < firstNonASCII { return input + 2 * (asked - out) }
        return input + 2 * (firstNonASCII - out)
    }

    // MARK: - Internals

    @inline(__always)
    private func pushCheckpoint(out: Int64, in inputOffset: Int64) {
        let slot = ringNext & Self.ringMask
        if ringNext >= Self.ringCapacity {
            evictedOut = ringOut[slot]
            evictedIn = ringIn[slot]
            evictedNonASCII = ringNonASCII[slot]
        }
        ringOut[slot] = out
        ringIn[slot] = inputOffset
        ringNonASCII[slot] = .max
        ringNext += 1
        lineHasNonASCII = false
    }

    @inline(__always)
    private func markNonASCII(at out: Int64) {
        if !lineHasNonASCII {
            lineHasNonASCII = true
            ringNonASCII[(ringNext - 1) & Self.ringMask] = out
        }
    }

    @inline(__always)
    private func unit(at p: Int) -> UInt32 {
        let raw = input.baseAddress!.loadUnaligned(fromByteOffset: p, as: UInt16.self)
        return UInt32(bigEndian ? UInt16(bigEndian: raw) : UInt16(littleEndian: raw))
    }

    private func checkBOM() {
        bomChecked = true
        if skipsBOM && inEnd - inPos >= 2 && unit(at: inPos) == 0xFEFF {
            inPos += 2
            // Nothing has been produced yet: the first line starts after the BOM.
            ringIn[(ringNext - 1) & Self.ringMask] = inputBase + Int64(inPos)
        }
    }

    /// Keeps the 0-3 bytes not yet transcoded, then reads the inner source after them.
    private func refill() throws {
        let left = inEnd - inPos
        if inPos > 0 {
            if left > 0 {
                input.baseAddress!.copyMemory(from: input.baseAddress! + inPos, byteCount: left)
            }
            inputBase += Int64(inPos)
            inPos = 0
            inEnd = left
        }
        let n = try inner.read(into: UnsafeMutableRawBufferPointer(rebasing: input[inEnd...]))
        if n == 0 { innerEOF = true } else { inEnd += n }
    }

    /// Writes `bytes` (first byte in the low 8 bits, `count` of them) at `outPos`; what does
    /// not fit goes to the pending bytes. Returns the new `outPos`.
    @inline(__always)
    private func emit(_ bytes: UInt32, _ count: Int, _ out: UnsafeMutableRawPointer, _ outPos: Int, _ outCount: Int) -> Int {
        if outCount - outPos >= count {
            var b = bytes
            for k in 0..<count {
                out.storeBytes(of: UInt8(truncatingIfNeeded: b), toByteOffset: outPos + k, as: UInt8.self)
                b >>= 8
            }
            return outPos + count
        }
        var b = bytes
        var pos = outPos
        while pos < outCount {
            out.storeBytes(of: UInt8(truncatingIfNeeded: b), toByteOffset: pos, as: UInt8.self)
            b >>= 8
            pos += 1
        }
        pendingBytes = b
        pendingCount = count - (pos - outPos)
        return pos
    }

    /// The generalized 3-byte UTF-8 form of a BMP code point (also of a surrogate).
    @inline(__always)
    private static func three(_ u: UInt32) -> UInt32 {
        (0xE0 | u >> 12) | (0x80 | (u >> 6) & 0x3F) << 8 | (0x80 | u & 0x3F) << 16
    }

    /// Transcodes complete code units from `inPos` while there is room, without reading the
    /// inner source. Stops before a high surrogate whose next unit is not read yet (unless at
    /// end of input). Returns the new `outPos`.
    private func transcode(_ out: UnsafeMutableRawPointer, _ startPos: Int, _ outCount: Int) -> Int {
        let base = input.baseAddress!
        let end = inEnd
        let eof = innerEOF
        var p = inPos
        var outPos = startPos
        // Output offset of out[i] is genBase + i.
        let genBase = produced - Int64(startPos)
        defer {
            inPos = p
            produced = genBase + Int64(outPos) + Int64(pendingCount)
        }

        if afterCR {
            if end - p >= 2 {
                afterCR = false
                if unit(at: p) != 0x0A { pushCheckpoint(out: genBase + Int64(outPos), in: inputBase + Int64(p)) }
            } else if eof {
                afterCR = false
                pushCheckpoint(out: genBase + Int64(outPos), in: inputBase + Int64(p))
            } else {
                return outPos
            }
        }

        // Fast path constants. Each UInt64 (loaded little-endian) holds 4 code units; after
        // `>> shift` the units sit in 16-bit lanes, low byte first. A unit is ASCII when its
        // high byte is 0 and its low byte < 0x80.
        let asciiMask: UInt64 = bigEndian ? 0x80FF_80FF_80FF_80FF : 0xFF80_FF80_FF80_FF80
        let shift: UInt64 = bigEndian ? 8 : 0
        let lanes: UInt64 = 0x0001_0001_0001_0001
        let k72 = lanes &* 0x72, k80 = lanes &* 0x80
        var scalarUntil = 0

        while outPos < outCount {
            // ASCII fast path: 16 (then 8) units -> 16 (8) bytes per step, line ends included;
            // a step with any non-ASCII unit leaves the next 8 units to the scalar path.
            if p >= scalarUntil {
                while end &- p >= 32 && outCount &- outPos >= 16 {
                    let w0 = UInt64(littleEndian: base.loadUnaligned(fromByteOffset: p, as: UInt64.self))
                    let w1 = UInt64(littleEndian: base.loadUnaligned(fromByteOffset: p &+ 8, as: UInt64.self))
                    let w2 = UInt64(littleEndian: base.loadUnaligned(fromByteOffset: p &+ 16, as: UInt64.self))
                    let w3 = UInt64(littleEndian: base.loadUnaligned(fromByteOffset: p &+ 24, as: UInt64.self))
                    if (w0 | w1 | w2 | w3) & asciiMask != 0 { break }
                    let x0 = w0 &>> shift, x1 = w1 &>> shift, x2 = w2 &>> shift, x3 = w3 &>> shift
                    out.storeBytes(of: Self.pack(x0, x1).littleEndian, toByteOffset: outPos, as: UInt64.self)
                    out.storeBytes(of: Self.pack(x2, x3).littleEndian, toByteOffset: outPos &+ 8, as: UInt64.self)
                    // Lanes are < 0x80, so adding 0x72 sets bit 7 exactly of the lanes >= 0x0E
                    // and never carries into the next lane: all bits 7 set, no CR or LF here.
                    if (x0 &+ k72) & (x1 &+ k72) & (x2 &+ k72) & (x3 &+ k72) & k80 != k80 {
                        lineEnds(x0, p, outPos, genBase, end, eof)
                        lineEnds(x1, p &+ 8, outPos &+ 4, genBase, end, eof)
                        lineEnds(x2, p &+ 16, outPos &+ 8, genBase, end, eof)
                        lineEnds(x3, p &+ 24, outPos &+ 12, genBase, end, eof)
                    }
                    p &+= 32
                    outPos &+= 16
                }
                while end &- p >= 16 && outCount &- outPos >= 8 {
                    let w0 = UInt64(littleEndian: base.loadUnaligned(fromByteOffset: p, as: UInt64.self))
                    let w1 = UInt64(littleEndian: base.loadUnaligned(fromByteOffset: p &+ 8, as: UInt64.self))
                    if (w0 | w1) & asciiMask != 0 { break }
                    let x0 = w0 &>> shift, x1 = w1 &>> shift
                    out.storeBytes(of: Self.pack(x0, x1).littleEndian, toByteOffset: outPos, as: UInt64.self)
                    if (x0 &+ k72) & (x1 &+ k72) & k80 != k80 {
                        lineEnds(x0, p, outPos, genBase, end, eof)
                        lineEnds(x1, p &+ 8, outPos &+ 4, genBase, end, eof)
                    }
                    p &+= 16
                    outPos &+= 8
                }
                scalarUntil = p &+ 16
            }

            // One code unit (or surrogate pair).
            if end - p < 2 || outPos == outCount { break }
            let u = unit(at: p)
            if u < 0x80 {
                out.storeBytes(of: UInt8(truncatingIfNeeded: u), toByteOffset: outPos, as: UInt8.self)
                outPos += 1
                p += 2
                if u == 0x0A {
                    pushCheckpoint(out: genBase + Int64(outPos), in: inputBase + Int64(p))
                } else if u == 0x0D {
                    if end - p >= 2 {
                        if unit(at: p) != 0x0A { pushCheckpoint(out: genBase + Int64(outPos), in: inputBase + Int64(p)) }
                    } else if eof {
                        pushCheckpoint(out: genBase + Int64(outPos), in: inputBase + Int64(p))
                    } else {
                        afterCR = true
                        break
                    }
                }
                continue
            }
            markNonASCII(at: genBase + Int64(outPos))
            if u < 0x800 {
                outPos = emit((0xC0 | u >> 6) | (0x80 | u & 0x3F) << 8, 2, out, outPos, outCount)
                p += 2
            } else if u & 0xF800 != 0xD800 {
                outPos = emit(Self.three(u), 3, out, outPos, outCount)
                p += 2
            } else if u < 0xDC00 {
                // High surrogate: needs the next unit (RFC 2781 section 2.2).
                if end - p >= 4 {
                    let u2 = unit(at: p + 2)
                    if u2 & 0xFC00 == 0xDC00 {
                        let c = 0x10000 + ((u - 0xD800) << 10 | (u2 - 0xDC00))
                        let bytes = (0xF0 | c >> 18) | (0x80 | (c >> 12) & 0x3F) << 8
                            | (0x80 | (c >> 6) & 0x3F) << 16 | (0x80 | c & 0x3F) << 24
                        outPos = emit(bytes, 4, out, outPos, outCount)
                        p += 4
                    } else {
                        outPos = emit(Self.three(u), 3, out, outPos, outCount)
                        p += 2
                    }
                } else if eof {
                    outPos = emit(Self.three(u), 3, out, outPos, outCount)
                    p += 2
                } else {
                    break
                }
            } else {
                // Lone low surrogate.
                outPos = emit(Self.three(u), 3, out, outPos, outCount)
                p += 2
            }
        }
        return outPos
    }

    /// Packs the low bytes of the 8 lanes of `x0`, `x1` (16-bit lanes, each < 0x100) into one
    /// word, first lane in the low byte.
    @inline(__always)
    private static func pack(_ x0: UInt64, _ x1: UInt64) -> UInt64 {
        let t0 = (x0 | x0 &>> 8) & 0x0000_FFFF_0000_FFFF
        let t1 = (x1 | x1 &>> 8) & 0x0000_FFFF_0000_FFFF
        return (t0 | t0 &>> 16) & 0xFFFF_FFFF | (t1 | t1 &>> 16) &<< 32
    }

    /// Records the line starts that follow the CR and LF units among the 4 ASCII units of
    /// `x` (16-bit lanes, low byte first), whose first unit is at input position `p` and was
    /// written at output position `outPos`.
    @inline(__always)
    private func lineEnds(_ x: UInt64, _ p: Int, _ outPos: Int, _ genBase: Int64, _ end: Int, _ eof: Bool) {
        // A lane of (x ^ c) is 0 exactly when the unit is c; adding 0x7F to a lane < 0x80
        // sets its bit 7 unless it is 0, without carrying.
        let lanes: UInt64 = 0x0001_0001_0001_0001
        let k7F = lanes &* 0x7F, k80 = lanes &* 0x80
        let lfBits = ~((x ^ (lanes &* 0x0A)) &+ k7F) & k80
        let crBits = ~((x ^ (lanes &* 0x0D)) &+ k7F) & k80
        var bits = lfBits | crBits
        while bits != 0 {
            let lane = bits.trailingZeroBitCount &>> 4
            bits &= bits &- 1
            let next = p &+ 2 &* lane &+ 2
            let nextOut = genBase &+ Int64(outPos &+ lane &+ 1)
            if lfBits & (0x80 &<< (16 &* lane)) != 0 {
                pushCheckpoint(out: nextOut, in: inputBase &+ Int64(next))
            } else if end &- next >= 2 {
                if unit(at: next) != 0x0A { pushCheckpoint(out: nextOut, in: inputBase &+ Int64(next)) }
            } else if eof {
                pushCheckpoint(out: nextOut, in: inputBase &+ Int64(next))
            } else {
                // The CR is the last unit read so far: the next read decides.
                afterCR = true
            }
        }
    }

    /// At the end of the input, after `transcode`: the odd final byte, if any, raw.
    private func finish(_ out: UnsafeMutableRawPointer, _ startPos: Int, _ outCount: Int) -> Int {
        guard inEnd - inPos == 1, startPos < outCount else { return startPos }
        let genBase = produced - Int64(startPos)
        markNonASCII(at: genBase + Int64(startPos))
        out.storeBytes(of: input[inPos], toByteOffset: startPos, as: UInt8.self)
        inPos += 1
        produced += 1
        return startPos + 1
    }
}
