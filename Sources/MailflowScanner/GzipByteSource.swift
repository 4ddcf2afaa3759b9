import CZlib

/// Inflates a gzip stream from another source, member after member (a file made with
/// `cat a.gz b.gz` is read to its end as one stream).
///
/// gzip is recognised by its magic bytes `1F 8B` (RFC 1952 section 2.3.1), never by the
/// file name: see ``Compression/sniff(_:)``.
public final class GzipByteSource: ByteSource {
    private let inner: ByteSource
    private let name: String
    private var stream = z_stream()
    private let input: UnsafeMutableRawBufferPointer
    private var inputEOF = false
    private var memberOpen = false
    private var finished = false
    /// An error met after some output was produced: the output is returned first, the error
    /// on the next call, so that no decompressed byte before the damage is lost.
    private var pendingError: ScanError?

    public var bytesConsumed: Int64 { inner.bytesConsumed - Int64(stream.avail_in) }

    /// - Parameters:
    ///   - inner: the compressed bytes.
    ///   - name: the file name used in error messages.
    public init(_ inner: ByteSource, name: String) throws {
        self.inner = inner
        self.name = name
        self.input = .allocate(byteCount: 256 << 10, alignment: 16)
        // windowBits 15 + 16: gzip wrapper only (zlib manual, inflateInit2).
        let rc = inflateInit2_(&stream, 15 + 16, zlibVersion(), Int32(MemoryLayout<z_stream>.size))
        if rc != Z_OK {
            input.deallocate()
            throw ScanError.corruptGzip(path: name, offset: 0, message: "zlib init failed (\(rc))")
        }
    }

    deinit {
        inflateEnd(&stream)
        input.deallocate()
    }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        if let pendingError {
            self.pendingError = nil
            finished = true
            throw pendingError
        }
        if finished || buffer.count == 0 { return 0 }
        stream.next_out = buffer.baseAddress!.assumingMemoryBound(to: Bytef.self)
        stream.avail_out = UInt32(min(buffer.count, Int(UInt32.max)))
        while stream.avail_out > 0 {
            if stream.avail_in == 0 && !inputEOF {
                let n = try inner.read(into: input)
                if n == 0 {
                    inputEOF = true
                } else {
                    stream.next_in = input.baseAddress!.assumingMemoryBound(to: Bytef.self)
                    stream.avail_in = UInt32(n)
                }
            }
            if stream.avail_in == 0 && inputEOF {
                if memberOpen { return try deliver(buffer, ScanError.truncatedGzip(path: name, offset: bytesConsumed)) }
                finished = true
                break
            }
            memberOpen = true
            let rc = inflate(&stream, Z_NO_FLUSH)
            switch rc {
            case Z_OK, Z_BUF_ERROR:
                continue
            case Z_STREAM_END:
                memberOpen = false
                inflateReset(&stream)
                // Trailing zero padding after the last member is tolerated.
                if stream.avail_in > 0, stream.next_in.pointee == 0 { stream.avail_in = 0 }
            default:
                let message = stream.msg.map { String(cString: $0) } ?? "inflate error \(rc)"
                return try deliver(buffer, ScanError.corruptGzip(path: name, offset: bytesConsumed, message: message))
            }
        }
        return buffer.count - Int(stream.avail_out)
    }

    /// Returns what this call produced and keeps `error` for the next call, or throws it
    /// now when nothing was produced.
    private func deliver(_ buffer: UnsafeMutableRawBufferPointer, _ error: ScanError) throws -> Int {
        let produced = buffer.count - Int(stream.avail_out)
        if produced == 0 {
            finished = true
            throw error
        }
        pendingError = error
        return produced
    }
}

/// How the bytes of a file are packed.
public enum Compression: String, Sendable {
    case none
    case gzip

    /// Detects compression from the first bytes of a file (gzip magic `1F 8B`, RFC 1952).
    public static func sniff(_ head: some Collection<UInt8>) -> Compression {
        var it = head.makeIterator()
        return (it.next() == 0x1F && it.next() == 0x8B) ? .gzip : .none
    }
}
