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
        /// The decoder's state for a later run (``LineDecoder/resumeState``).
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
    private let decoder: InputDecoder
    private let mapOffset: ((Int64) -> Int64)?

    /// - Parameters:
    ///   - source: the decompressed (UTF-8) bytes of one input, from `startOffset` on.
    ///   - decoder: the input's format decoder.
    ///   - mapOffset: turns a byte offset of `source` into one of the file (UTF-16 input).
    ///   - startLine, startOffset: where `source` begins in its file (a resumed file).
    ///   - fields: the decoder state at `startOffset` (``LineDecoder/resumeState``).
    ///   - buffers: batches in flight (bounds memory).
    init(
        source: ByteSource, decoder: InputDecoder, context: DecodeContext, mapOffset: ((Int64) -> Int64)? = nil,
        startLine: Int = 1, startOffset: Int64 = 0, fields: String? = nil, buffers: Int = 4
    ) {
        self.source = source
        self.decoder = decoder
        self.mapOffset = mapOffset
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

    /// Adds a decoded record's time to the batch.
    @inline(__always)
    private func noteTime(_ t: Int64?, _ batch: EventBatch) {
        guard let t else { return }
        if batch.firstMs.map({ t < $0 }) ?? true { batch.firstMs = t }
        if batch.lastMs.map({ t > $0 }) ?? true { batch.lastMs = t }
    }

    private func note(_ issue: ScanIssue, _ batch: EventBatch) {
        var issue = issue
        if let mapOffset { issue.lineOffset = mapOffset(issue.lineOffset) }
        if issue.kind.rejectsRecord { batch.rejected += 1 }
        batch.issues.append(issue)
    }

    /// The worker: scanner -> format decoder -> batches.
    private func decode() {
        switch decoder {
        case .lines(let d): decodeLines(d)
        case .json(let d): decodeJSON(d)
        }
    }

    /// The loop both scanners share: scan events go into the current batch, which is handed
    /// to the writer when full.
    /// - Parameters:
    ///   - next: the scanner's next event.
    ///   - record: decodes the current record into the batch.
    ///   - directive: reads the current directive line.
    /// - Returns: the error that ended the input early (nil at its end), or nil with
    ///   `cancelled` when the writer stopped the pipeline.
    private func pump(
        next: () throws -> ScanEvent, record: (EventBatch) throws -> Void, directive: () -> Void
    ) -> (failure: Error?, cancelled: Bool) {
        guard var batch = free.take() else { return (nil, true) }
        var failure: Error?
        loop: while true {
            let event: ScanEvent
            do {
                event = try next()
            } catch {
                failure = error
                break
            }
            switch event {
            case .record:
                do {
                    try record(batch)
                } catch {
                    failure = error
                    break loop
                }
            case .directive:
                directive()
            case .issue(let issue):
                note(issue, batch)
            case .end:
                break loop
            }
            if batch.isFull {
                full.put(.batch(batch))
                guard let next = free.take() else { return (nil, true) }
                batch = next
            }
        }
        full.put(.batch(batch))
        return (failure, false)
    }

    /// Counts a decoded record's outcome in `batch`.
    /// - Returns: the field count a header row sets, if it was one.
    private func count(_ outcome: DecodeOutcome, lastTimeMs: Int64?, in batch: EventBatch) -> Int? {
        switch outcome {
        case .events:
            batch.records += 1
            noteTime(lastTimeMs, batch)
        case .rejected(let issue):
            note(issue, batch)
        case .header(let fieldCount):
            return fieldCount
        case .skipped:
            batch.skipped += 1
        }
        return nil
    }

    private func decodeLines(_ decoder: LineDecoder) {
        let scanner = RecordScanner(
            source: source, options: decoder.scannerOptions, startLine: startLine, startOffset: startOffset)
        if let fields, let count = decoder.restore(fields) {
            scanner.expectedFieldCount = count
        }
        let (failure, cancelled) = pump(
            next: scanner.next,
            record: { batch in
                let outcome = try decoder.decode(scanner, into: batch)
                if let n = count(outcome, lastTimeMs: decoder.lastTimeMs, in: batch) { scanner.expectedFieldCount = n }
            },
            directive: {
                if let n = scanner.withDirective({ decoder.readDirective($0) }) { scanner.expectedFieldCount = n }
            })
        if cancelled { return }
        let resume = scanner.resumePoint
        full.put(.finished(Ending(
            bytesScanned: scanner.bytesScanned, resumeOffset: resume.offset, resumeLine: resume.line,
            fields: decoder.resumeState, error: failure)))
    }

    private func decodeJSON(_ decoder: JSONRecordDecoder) {
        let scanner = JSONRecordScanner(source: source)
        let (failure, cancelled) = pump(
            next: scanner.next,
            record: { batch in
                var outcome = try decoder.decode(
                    object: scanner.recordBytes, line: scanner.recordLine, lineOffset: scanner.recordLineOffset, into: batch)
                if case .rejected(var issue) = outcome {
                    // On a long line (one-line JSON) the line offset alone does not find it.
                    issue.detail = (issue.detail.map { $0 + "; " } ?? "") + "record at byte \(scanner.recordByteOffset)"
                    outcome = .rejected(issue)
                }
                _ = count(outcome, lastTimeMs: decoder.lastTimeMs, in: batch)
            },
            directive: {})
        if cancelled { return }
        // JSON exports are documents, not growing logs: never resumed.
        full.put(.finished(Ending(bytesScanned: scanner.bytesScanned, resumeOffset: 0, resumeLine: 0, fields: nil, error: failure)))
    }
}
