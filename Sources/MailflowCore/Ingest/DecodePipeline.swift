import Foundation
import MailflowScanner

/// Runs scanning and decoding of one input on a worker thread while the calling thread
/// stores the events: batches of ``EventBatch/capacity`` events circulate between the two
/// through a bounded set of buffers, so memory stays bounded whatever the input size.
final class DecodePipeline: @unchecked Sendable {
    enum Item {
        case batch(EventBatch)
        case finished(Ending)
    }

    /// How the input ended.
    struct Ending {
        /// Offset reached (bytes from the start of the file).
        var bytesScanned: Int64 = 0
        /// Where a later run may continue a file that grows (see ``RecordScanner/resumePoint``).
        var resumeOffset: Int64 = 0
        var resumeLine = 1
        /// The `#Fields:` directive in force at the end.
        var fields: String?
        /// The source error that ended the input early (damaged gzip), if any.
        var error: Error?
    }

    /// A blocking FIFO with cancellation.
    final class Channel<T>: @unchecked Sendable {
        private let condition = NSCondition()
        private var items: [T] = []
        private var cancelled = false

        func put(_ item: T) {
            condition.lock()
            items.append(item)
            condition.signal()
            condition.unlock()
        }

        /// The next item, or nil once cancelled.
        func take() -> T? {
            condition.lock()
            defer { condition.unlock() }
            while items.isEmpty && !cancelled { condition.wait() }
            if cancelled { return nil }
            return items.removeFirst()
        }

        func cancel() {
            condition.lock()
            cancelled = true
            condition.broadcast()
            condition.unlock()
        }
    }

    private let free = Channel<EventBatch>()
    private let full = Channel<Item>()
    private let done = DispatchSemaphore(value: 0)
    private let source: ByteSource
    private let startLine: Int
    private let startOffset: Int64
    private let fields: String?

    /// - Parameters:
    ///   - source: the decompressed bytes of one input, from `startOffset` on.
    ///   - startLine, startOffset: where `source` begins in its file (a resumed file).
    ///   - fields: the `#Fields:` directive in force at `startOffset`, for a resumed file.
    ///   - buffers: batches in flight (bounds memory).
    init(source: ByteSource, context: DecodeContext, startLine: Int = 1, startOffset: Int64 = 0, fields: String? = nil, buffers: Int = 4) {
        self.source = source
        self.startLine = startLine
        self.startOffset = startOffset
        self.fields = fields
        for _ in 0..<buffers { free.put(EventBatch(context: context)) }
    }

    /// Decodes the input with `makeDecoder`'s decoder on a worker thread and calls
    /// `store` with each batch on the calling thread, in order.
    /// - Returns: how the input ended.
    /// - Throws: what `store` throws (the worker is stopped first).
    func run(store: (EventBatch) throws -> Void) throws -> Ending {
        let thread = Thread { [self] in
            decode()
            done.signal()
        }
        thread.stackSize = 1 << 20
        thread.start()
        defer { done.wait() }
        while let item = full.take() {
            switch item {
            case .batch(let batch):
                do {
                    try store(batch)
                } catch {
                    free.cancel()
                    full.cancel()
                    throw error
                }
                batch.reset()
                free.put(batch)
            case .finished(let ending):
                return ending
            }
        }
        return Ending()
    }

    /// The worker: scanner -> message tracking decoder -> batches.
    private func decode() {
        let scanner = RecordScanner(
            source: source, options: MessageTrackingLog.scannerOptions, startLine: startLine, startOffset: startOffset)
        let decoder = MessageTrackingLog()
        if let fields {
            let count = Array(fields.utf8).withUnsafeBytes { decoder.readDirective($0) }
            scanner.expectedFieldCount = count
        }
        guard var batch = free.take() else { return }
        var failure: Error?
        loop: while true {
            let event: ScanEvent
            do {
                event = try scanner.next()
            } catch {
                failure = error
                break
            }
            switch event {
            case .record:
                do {
                    switch try decoder.decode(scanner, into: batch) {
                    case .events:
                        batch.records += 1
                        if let t = decoder.lastTimeMs {
                            if batch.firstMs.map({ t < $0 }) ?? true { batch.firstMs = t }
                            if batch.lastMs.map({ t > $0 }) ?? true { batch.lastMs = t }
                        }
                    case .rejected(let issue):
                        batch.rejected += 1
                        batch.issues.append(issue)
                    }
                } catch {
                    failure = error
                    break loop
                }
            case .directive:
                if let count = scanner.withDirective({ decoder.readDirective($0) }) {
                    scanner.expectedFieldCount = count
                }
            case .issue(let issue):
                if issue.kind.rejectsRecord { batch.rejected += 1 }
                batch.issues.append(issue)
            case .end:
                break loop
            }
            if batch.isFull {
                full.put(.batch(batch))
                guard let next = free.take() else { return }
                batch = next
            }
        }
        full.put(.batch(batch))
        let resume = scanner.resumePoint
        full.put(.finished(Ending(
            bytesScanned: scanner.bytesScanned, resumeOffset: resume.offset, resumeLine: resume.line,
            fields: decoder.fieldsDirective, error: failure)))
    }
}
