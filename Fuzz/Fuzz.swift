import MailflowCore
import MailflowScanner

/// Sink that only counts: the decoder and status extraction run on every record.
final class CountingSink: EventSink {
    var events = 0
    func write(_ event: inout DeliveryEvent) throws { events += 1 }
}

/// The decoders the fuzzer drives, in `LogFormat.allCases` order; the input's first byte
/// picks one (low 4 bits) and whether the rest is read as UTF-16LE through the transcoding
/// stage (bit 4) and as JSON (bit 5).
let formats = LogFormat.allCases

/// Scans and decodes `body` with a fresh decoder; returns (records, issues, events).
func run(_ body: [UInt8], format: LogFormat, utf16: Bool, json: Bool, chunk: Int) -> [Int] {
    var source: ByteSource = MemoryByteSource(body, chunkLimit: chunk)
    if utf16 { source = UTF16ByteSource(source, bigEndian: false, skipsBOM: true) }
    let decoder = try! format.decoder(
        options: DecodeOptions(year: 2026), input: InputContext(modificationMs: 1_790_000_000_000), json: json)
    let sink = CountingSink()
    var records = 0, issues = 0
    switch decoder {
    case .lines(let d):
        var options = d.scannerOptions
        options.maxRecordBytes = 4096
        options.readSize = 512
        let scanner = RecordScanner(source: source, options: options)
        while let event = try? scanner.next(), event != .end {
            switch event {
            case .record:
                switch try! d.decode(scanner, into: sink) {
                case .events: records += 1
                case .header(let n): scanner.expectedFieldCount = n
                case .rejected: issues += 1
                case .skipped: break
                }
            case .directive:
                if let n = scanner.withDirective({ d.readDirective($0) }) { scanner.expectedFieldCount = n }
            case .issue:
                issues += 1
            case .end:
                break
            }
        }
    case .json(let d):
        let scanner = JSONRecordScanner(source: source, maxRecordBytes: 4096, readSize: 512)
        while let event = try? scanner.next(), event != .end {
            switch event {
            case .record:
                if case .events = try! d.decode(object: scanner.recordBytes, line: scanner.recordLine, lineOffset: scanner.recordLineOffset, into: sink) {
                    records += 1
                } else {
                    issues += 1
                }
            case .issue:
                issues += 1
            default:
                break
            }
        }
    }
    return [records, issues, sink.events]
}

/// libFuzzer entry: the input is scanned in two chunkings (whole, and 7 bytes per read)
/// with the decoder its first byte picks; both must give the same numbers of records,
/// issues and events. Any crash (or sanitizer report) fails the run.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    guard size > 0 else { return 0 }
    let selector = Int(data[0])
    let format = formats[(selector & 0x0F) % formats.count]
    let body = Array(UnsafeBufferPointer(start: data + 1, count: size - 1))
    let utf16 = selector & 0x10 != 0, json = selector & 0x20 != 0
    let whole = run(body, format: format, utf16: utf16, json: json, chunk: Int.max)
    let sliced = run(body, format: format, utf16: utf16, json: json, chunk: 7)
    precondition(whole == sliced, "chunking changed the result for \(format): \(whole) vs \(sliced)")
    return 0
}

/// libFuzzer's driver (LLVM 11+): SwiftPM links an executable's `main` to
/// `<target>_main`, so that function starts the fuzzer with the entry above.
@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<Int32>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: @convention(c) (UnsafePointer<UInt8>, Int) -> Int32
) -> Int32

@_cdecl("mailflow_fuzz_main")
public func fuzzMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    var count = argc
    var vector = argv
    return LLVMFuzzerRunDriver(&count, &vector) { data, size in fuzz(data, size) }
}
