#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A producer of bytes read front to back, one chunk at a time.
///
/// The scanner pulls from a byte source into its own reused buffer; a source never
/// allocates per call. Implementations: ``FileByteSource`` (`read(2)`),
/// ``GzipByteSource`` (zlib inflate over another source), ``MemoryByteSource`` (tests).
public protocol ByteSource: AnyObject {
    /// Reads up to `buffer.count` bytes into `buffer`.
    ///
    /// - Returns: the number of bytes written, 0 only at the end of the input.
    /// - Throws: ``ScanError`` on an I/O error or damaged compressed data.
    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int

    /// Bytes consumed from the underlying file so far (compressed bytes for gzip), for
    /// progress and error messages.
    var bytesConsumed: Int64 { get }
}

/// A fatal problem reading the bytes of one input. Content problems are never errors:
/// they are ``ScanIssue`` values.
public enum ScanError: Error, Equatable, CustomStringConvertible {
    /// `open(2)` failed; `errno` is the C error number.
    case cannotOpen(path: String, errno: Int32)
    /// `read(2)` failed after `offset` bytes.
    case readFailed(path: String, offset: Int64, errno: Int32)
    /// The gzip stream is damaged; `offset` is the compressed byte offset reached.
    case corruptGzip(path: String, offset: Int64, message: String)
    /// The gzip stream ends before its last member is complete.
    case truncatedGzip(path: String, offset: Int64)
    /// The input is a directory or another kind of file that cannot be scanned.
    case notARegularFile(path: String)

    public var description: String {
        switch self {
        case let .cannotOpen(path, e):
            return "\(path): cannot open (\(String(cString: strerror(e)))); check the path and its permissions"
        case let .readFailed(path, offset, e):
            return "\(path): read failed at byte \(offset) (\(String(cString: strerror(e))))"
        case let .corruptGzip(path, offset, message):
            return "\(path): corrupt gzip data at compressed byte \(offset) (\(message)); records before it were kept"
        case let .truncatedGzip(path, offset):
            return "\(path): gzip stream ends early at compressed byte \(offset); records before it were kept"
        case let .notARegularFile(path):
            return "\(path): not a regular file"
        }
    }
}

/// Reads a file with `read(2)`; the descriptor is closed on `deinit`.
public final class FileByteSource: ByteSource {
    public let path: String
    private let fd: Int32
    public private(set) var bytesConsumed: Int64 = 0

    /// Opens `path` for reading.
    /// - Throws: ``ScanError/cannotOpen(path:errno:)``, ``ScanError/notARegularFile(path:)``.
    public init(path: String) throws {
        self.path = path
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 { throw ScanError.cannotOpen(path: path, errno: errno) }
        var st = stat()
        if fstat(fd, &st) == 0, (st.st_mode & S_IFMT) == S_IFDIR {
            close(fd)
            throw ScanError.notARegularFile(path: path)
        }
        self.fd = fd
    }

    /// Wraps an already open descriptor (for example 0, standard input); it is not closed.
    public init(descriptor: Int32, name: String) {
        self.path = name
        self.fd = dup(descriptor)
    }

    deinit { close(fd) }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        while true {
            let n = Glibc.read(fd, buffer.baseAddress, buffer.count)
            if n >= 0 {
                bytesConsumed += Int64(n)
                return n
            }
            if errno == EINTR { continue }
            throw ScanError.readFailed(path: path, offset: bytesConsumed, errno: errno)
        }
    }

    /// Reads up to `count` bytes at `offset` without moving the read position.
    public func peek(count: Int, at offset: Int64 = 0) -> [UInt8] {
        var head = [UInt8](repeating: 0, count: count)
        let n = head.withUnsafeMutableBytes { pread(fd, $0.baseAddress, count, off_t(offset)) }
        return n > 0 ? Array(head[0..<n]) : []
    }

    /// Size of the file in bytes (0 for a pipe).
    public var size: Int64 {
        var st = stat()
        return fstat(fd, &st) == 0 && (st.st_mode & S_IFMT) == S_IFREG ? Int64(st.st_size) : 0
    }

    /// Modification time of the file, milliseconds since the Unix epoch, UTC (nil when
    /// `fstat(2)` fails).
    public var modificationMs: Int64? {
        var st = stat()
        guard fstat(fd, &st) == 0 else { return nil }
        return Int64(st.st_mtim.tv_sec) * 1000 + Int64(st.st_mtim.tv_nsec) / 1_000_000
    }

    /// Whether this is a regular file (not a pipe or terminal).
    public var isRegularFile: Bool {
        var st = stat()
        return fstat(fd, &st) == 0 && (st.st_mode & S_IFMT) == S_IFREG
    }

    /// Moves the read position to `offset`.
    /// - Throws: ``ScanError/readFailed(path:offset:errno:)``.
    public func seek(to offset: Int64) throws {
        if lseek(fd, off_t(offset), SEEK_SET) < 0 { throw ScanError.readFailed(path: path, offset: offset, errno: errno) }
        bytesConsumed = offset
    }
}

/// Serves bytes from memory, at most `chunkLimit` per call: the test harness for
/// "identical results for every chunk size".
public final class MemoryByteSource: ByteSource {
    private let bytes: [UInt8]
    private var position = 0
    private let chunkLimit: Int
    public var bytesConsumed: Int64 { Int64(position) }

    public init(_ bytes: [UInt8], chunkLimit: Int = .max) {
        precondition(chunkLimit > 0)
        self.bytes = bytes
        self.chunkLimit = chunkLimit
    }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        let n = min(buffer.count, chunkLimit, bytes.count - position)
        if n <= 0 { return 0 }
        bytes.withUnsafeBytes { src in
            buffer.baseAddress!.copyMemory(from: src.baseAddress! + position, byteCount: n)
        }
        position += n
        return n
    }
}
