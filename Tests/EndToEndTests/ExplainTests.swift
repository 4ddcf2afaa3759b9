import Foundation
import Testing

@Suite("end to end: explain")
struct ExplainTests {
    @Test func explainsACode() throws {
        let r = try Mailflow.run(["explain", "4.4.316"])
        #expect(r.status == 0, "\(r)")
        #expect(r.stdout.contains("4.4.316"), "\(r)")
        #expect(r.stdout.contains("Connection refused"), "\(r)")
        // A fix line with some advice on it.
        #expect(r.stdout.range(of: #"(?im)^\s*fix:?\s+\S.{10,}"#, options: .regularExpression) != nil, "\(r)")
    }

    @Test(arguments: [
        ["450 4.4.316 Connection refused [Message=Socket error code 10061]"],
        ["450", "4.4.316", "Connection", "refused", "[Message=Socket", "error", "code", "10061]"],
    ])
    func explainsAStatusLine(_ words: [String]) throws {
        let r = try Mailflow.run(["explain"] + words)
        #expect(r.status == 0, "\(r)")
        #expect(r.stdout.range(of: #"(?i)root cause:?\s+4\.4\.316\b"#, options: .regularExpression) != nil, "\(r)")
        #expect(r.stdout.contains("Connection refused"), "\(r)")
    }
}
