/// What a status code means by its structure alone: the fallback for codes that are not in
/// the knowledge base.
///
/// - Enhanced codes: RFC 3463 section 3.1 (class) and section 3.2 (subject).
/// - Basic replies: RFC 5321 section 4.2.1 (first and second digit).
public enum CodeMeaning {
    /// RFC 3463 section 3.1: what the class says about retrying.
    public static func classMeaning(_ statusClass: UInt8) -> String {
        switch statusClass {
        case 2: return "success: the action was completed"
        case 4: return "persistent transient failure: the message is valid, but delivery failed for now; a later attempt may succeed"
        default: return "permanent failure: sending the message again unchanged will fail the same way"
        }
    }

    /// RFC 3463 section 3.2: the area a subject number points at, or nil for subjects the
    /// RFC does not define (above 7).
    public static func subjectMeaning(_ subject: UInt16) -> String? {
        switch subject {
        case 0: return "other or undefined status"
        case 1: return "addressing: the sender or recipient address"
        case 2: return "mailbox: the recipient's mailbox"
        case 3: return "mail system: the receiving system as a whole"
        case 4: return "network and routing: the path to the destination (connections, DNS, routing, expiry)"
        case 5: return "mail delivery protocol: the SMTP exchange itself"
        case 6: return "message content or media: the message's format or content"
        case 7: return "security or policy: authentication, authorisation or policy"
        default: return nil
        }
    }

    /// One line for an enhanced code: `"5.9.999: permanent failure: ...; subject 9 is not
    /// defined by RFC 3463"`.
    public static func describe(_ code: EnhancedStatusCode) -> String {
        let subject = subjectMeaning(code.subject).map { "subject \(code.subject), \($0)" }
            ?? "subject \(code.subject) is not defined by RFC 3463"
        return "class \(code.statusClass), \(classMeaning(code.statusClass)); \(subject) (RFC 3463 sections 3.1-3.2)"
    }

    /// The category an unknown enhanced code falls back to: the subject where it points at
    /// one area (1 recipient, 2 mailbox, 7 auth/policy), otherwise by class
    /// (`transient-other`, `permanent-other`; `success` for class 2, which is no failure).
    public static func category(_ code: EnhancedStatusCode) -> String {
        if code.statusClass == 2 { return "success" }
        switch code.subject {
        case 1: return "recipient"
        case 2: return "mailbox"
        case 7: return "auth/policy"
        default: return code.statusClass == 4 ? "transient-other" : "permanent-other"
        }
    }

    /// One line for a basic reply code (RFC 5321 section 4.2.1), e.g. for 459:
    /// `"first digit 4, transient negative completion: ...; second digit 5, mail system"`.
    public static func describe(reply code: Int) -> String {
        let first: String
        switch code / 100 {
        case 2: first = "positive completion: the action was completed"
        case 3: first = "positive intermediate: the server waits for more information"
        case 4: first = "transient negative completion: the command was not accepted for now; the same command may succeed later"
        default: first = "permanent negative completion: the command was not accepted and should not be repeated unchanged"
        }
        let second: String
        switch code / 10 % 10 {
        case 0: second = "syntax"
        case 1: second = "information"
        case 2: second = "connections (the transmission channel)"
        case 5: second = "mail system (the receiver's state)"
        default: second = "not specified by RFC 5321"
        }
        return "first digit \(code / 100), \(first); second digit \(code / 10 % 10), \(second) (RFC 5321 section 4.2.1)"
    }

    /// The category an unknown basic reply falls back to: `transient-other` (4xx),
    /// `permanent-other` (5xx), `success` (2xx, 3xx).
    public static func category(reply code: Int) -> String {
        switch code / 100 {
        case 4: return "transient-other"
        case 5: return "permanent-other"
        default: return "success"
        }
    }
}
