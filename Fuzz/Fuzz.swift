import MailflowCore
import MailflowScanner

/// Sink that only counts: the decoder and status extraction run on every record.
final class CountingSink: EventSink {
    var events = 0
    func write(_ event: inout DeliveryEvent) throws { events += 1 }
}

/// libFuzzer entry: the input is scanned in two chunkings (whole, and 7 bytes per read)
/// with the message tracking decoder; both must give the same number of records, issues
/// and events.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    var results: [[Int]] = []
    for chunk in [Int.max, 7] {
        var options = MessageTrackingLog.scannerOptions
        options.maxRecordBytes = 4096
        options.readSize = 512
        let scanner = RecordScanner(source: MemoryByteSource(bytes, chunkLimit: chunk), options: options)
        let decoder = MessageTrackingLog()
        let sink = CountingSink()
        var records = 0, issues = 0
        while let event = try? scanner.next(), event != .end {
            switch event {
            case .record:
                if case .events = try! decoder.decode(scanner, into: sink) { records += 1 } else { issues += 1 }
            case .directive:
                if let n = scanner.withDirective({ decoder.readDirective($0) }) { scanner.expectedFieldCount = n }
            case .issue:
                issues += 1
            case .end:
                break
            }
        }
        results.append([records, issues, sink.events])
    }
    precondition(results[0] == results[1], "chunking changed the result: \(results)")
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
