/// An Exchange component token (`RESOLVER.ADR.ExRecipNotFound`, `QUEUE.Expired`) and the
/// status code Exchange pairs it with.
///
/// Exchange writes the component that failed a message after the code, e.g.
/// `550 5.1.1 RESOLVER.ADR.ExRecipNotFound; not found`. The token keeps its meaning when
/// an administrator rewrites the text (`New-SystemMessage`) and sometimes appears without a
/// code; `mailflow explain` then explains the paired code. Pairs come from the Microsoft NDR
/// pages (EXO-KB, EXO-FIX keys), the Microsoft message tracking page and sisimai
/// `Lhost/Exchange2007.pm` (SISIMAI); where only a decompiled `AckReason` class (ACK) names a
/// token, the pair is the code `reference/status-codes.md` section 11 gives for it.
public struct ExchangeComponent: Sendable, CustomStringConvertible {
    /// The token, or its leading part: `QUEUE.Admin` matches `QUEUE.Admin` and
    /// `QUEUE.Admin.Something`, never `QUEUE.AdminX`.
    public let token: String
    /// The enhanced code Exchange pairs with it.
    public let code: String
    /// The category of the pair (the code's, or the section 12 override the token selects).
    public let category: String
    /// What failed, in mailflow's words.
    public let note: String
    /// Source keys (`KnowledgeSource`).
    public let source: String

    init(_ token: String, _ code: String, _ category: String, note: String, source: String) {
        self.token = token
        self.code = code
        self.category = category
        self.note = note
        self.source = source
    }

    public var description: String { "\(token) (\(code), \(category))" }

    /// The row for a token found in a status text, if any.
    public static func row(for token: Substring) -> ExchangeComponent? {
        all.first { row in
            guard token.hasPrefix(row.token) else { return false }
            let rest = token.dropFirst(row.token.count)
            return rest.isEmpty || rest.first == "."
        }
    }

    /// The known tokens.
    public static let all: [ExchangeComponent] = [
        ExchangeComponent("SMTPSEND.DNS.NonExistentDomain", "5.4.4", "dns",
                          note: "The destination domain does not exist in DNS.", source: "SISIMAI"),
        ExchangeComponent("SMTPSEND.DNS.MxLoopback", "5.4.4", "routing/loop",
                          note: "The destination's MX points back at the sending server.", source: "SISIMAI"),
        ExchangeComponent("SMTPSEND.LongSenderAddress", "5.1.7", "permanent-other",
                          note: "The sender address is too long for the next hop.", source: "ACK"),
        ExchangeComponent("RESOLVER.ADR.ExRecipNotFound", "5.1.1", "recipient",
                          note: "The Exchange (legacyExchangeDN/X.500) address of the recipient no longer exists, typically a stale AutoComplete entry.",
                          source: "EXO-KB(exrecipnotfound-ndr); SISIMAI"),
        ExchangeComponent("RESOLVER.ADR.RecipNotFound", "5.1.1", "recipient",
                          note: "No recipient has this address.", source: "SISIMAI"),
        ExchangeComponent("RESOLVER.ADR.RecipientNotFound", "5.1.10", "recipient",
                          note: "Exchange Online found no recipient by SMTP address lookup.", source: "EXO-FIX(550-5-1-10)"),
        ExchangeComponent("RESOLVER.ADR.BadPrimary", "5.2.0", "config",
                          note: "The recipient object has no valid primary SMTP address.", source: "EXO-KB(badprimary-ndr); SISIMAI"),
        ExchangeComponent("RESOLVER.ADR.RecipLimit", "5.5.3", "quota/throttling",
                          note: "The message has more recipients than allowed.", source: "SISIMAI"),
        ExchangeComponent("RESOLVER.ADR.InvalidInSmtp", "5.1.0", "recipient",
                          note: "The recipient address cannot be used over SMTP.", source: "SISIMAI"),
        ExchangeComponent("RESOLVER.ADR.Ambiguous", "5.1.4", "recipient",
                          note: "Two directory objects share the address.", source: "SISIMAI"),
        ExchangeComponent("RESOLVER.RST.AuthRequired", "5.7.1", "auth/policy",
                          note: "The recipient (group or public folder) accepts only authenticated senders.", source: "SISIMAI; EXO-FIX(550-5-7-1)"),
        ExchangeComponent("RESOLVER.RST.NotAuthorized", "5.7.1", "auth/policy",
                          note: "The sender is not allowed to send to this recipient.", source: "SISIMAI"),
        ExchangeComponent("RESOLVER.RST.RestrictedToRecipientsPermission", "5.7.129", "auth/policy",
                          note: "The recipient accepts mail only from listed senders.", source: "EXO-FIX(550-5-7-1)"),
        ExchangeComponent("RESOLVER.RST.RecipSizeLimit", "5.2.3", "size",
                          note: "The message is larger than the recipient may receive.", source: "SISIMAI; ACK"),
        ExchangeComponent("RESOLVER.RST.SendSizeLimit", "5.2.3", "size",
                          note: "The message is larger than the sender or organisation may send.", source: "ACK"),
        ExchangeComponent("ROUTING.NoNextHop", "5.4.4", "routing/loop",
                          note: "No connector or route leads to the destination.", source: "ACK"),
        ExchangeComponent("ROUTING.NoConnectorForAddressType", "5.4.4", "routing/loop",
                          note: "No connector serves the address type (a non-SMTP address).", source: "ACK"),
        ExchangeComponent("ROUTING.SizeLimit", "5.3.4", "size",
                          note: "The message exceeds a size limit on its route.", source: "ACK"),
        ExchangeComponent("ROUTING.InvalidAddress", "5.1.2", "recipient",
                          note: "The recipient's domain part is not valid for routing.", source: "ACK"),
        ExchangeComponent("PICKUP.InvalidAddress", "5.1.3", "recipient",
                          note: "An address of a message from the Pickup directory is malformed.", source: "ACK"),
        ExchangeComponent("APPROVAL.InvalidExpiry", "5.6.0", "permanent-other",
                          note: "A moderated message could not read its expiry (retention policy tag).", source: "EXO-KB(5-6-0-approval)"),
        ExchangeComponent("TRANSPORT.RULES.RejectMessage", "5.7.1", "auth/policy",
                          note: "A mail flow (transport) rule rejected the message.", source: "ACK"),
        ExchangeComponent("QUEUE.Expired", "4.4.7", "expiry",
                          note: "The message stayed in the queue until it expired; the cause is the last deferral.", source: "Microsoft page \"Message tracking\" (OfficeDocs-Exchange, transport-logs/message-tracking.md); SISIMAI"),
        ExchangeComponent("QUEUE.Admin", "4.3.2", "permanent-other",
                          note: "An administrator deleted the message from the queue (an operator action).", source: "ACK"),
        ExchangeComponent("QUEUE.DDAdmin", "4.3.2", "permanent-other",
                          note: "An administrator deleted the message without a report (an operator action).", source: "ACK"),
        ExchangeComponent("QUEUE.PoisonAdmin", "4.3.2", "permanent-other",
                          note: "An administrator deleted the message from the poison queue (an operator action).", source: "ACK"),
        ExchangeComponent("QUEUE.TransportAgent", "4.3.2", "permanent-other",
                          note: "A transport agent deleted the message.", source: "Microsoft page \"Message tracking\" (OfficeDocs-Exchange, transport-logs/message-tracking.md)"),
    ]
}
