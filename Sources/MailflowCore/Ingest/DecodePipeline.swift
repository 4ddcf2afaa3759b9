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

    private func decodeLines(_ decoder: LineDecoder) {
        let scanner = RecordScanner(
            source: source, options: decoder.scannerOptions, startLine: startLine, startOffset: startOffset)
        if let fields, let count = decoder.restore(fields) {
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
                        noteTime(decoder.lastTimeMs, batch)
                    case .rejected(let issue):
                        note(issue, batch)
                    case .header(let count):
                        scanner.expectedFieldCount = count
                    case .skipped:
                        batch.skipped += 1
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
                note(issue, batch)
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
            fields: decoder.resumeState, error: failure)))
    }

    private func decodeJSON(_ decoder: JSONRecordDecoder) {
        let scanner = JSONRecordScanner(source: source)
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
                    switch try decoder.decode(
                        object: scanner.recordBytes, line: scanner.recordLine, lineOffset: scanner.recordLineOffset, into: batch)
                    {
                    case .events:
                        batch.records += 1
                        noteTime(decoder.lastTimeMs, batch)
                    case .rejected(var issue):
                        // On a long line (one-line JSON) the line offset alone does not find it.
                        issue.detail = (issue.detail.map { $0 + "; " } ?? "") + "record at byte \(scanner.recordByteOffset)"
                        note(issue, batch)
                    case .header, .skipped:
                        break
                    }
                } catch {
                    failure = error
                    break loop
                }
            case .issue(let issue):
                note(issue, batch)
            case .directive:
                break
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
        // JSON exports are documents, not growing logs: never resumed.
        full.put(.finished(Ending(bytesScanned: scanner.bytesScanned, resumeOffset: 0, resumeLine: 0, fields: nil, error: failure)))
    }
}
