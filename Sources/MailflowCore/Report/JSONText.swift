import Foundation

/// A small JSON writer (RFC 8259) for report.json: object keys in byte order, two-space
/// indentation, so the output is the same for the same data. Accepts what the report
/// builds: String, Int, Double, Bool, NSNull (null), arrays and [String: Any] objects.
enum JSONText {
    static func serialize(_ value: Any) -> String {
        var out = ""
        out.reserveCapacity(1 << 16)
        write(value, indent: 0, into: &out)
        out += "\n"
        return out
    }

    private static func write(_ value: Any, indent: Int, into out: inout String) {
        switch value {
        case let s as String: writeString(s, into: &out)
        case let i as Int: out += String(i)
        case let d as Double: out += d.isFinite ? (d == d.rounded() && abs(d) < 1e15 ? String(Int(d)) : String(d)) : "null"
        case let b as Bool: out += b ? "true" : "false"
        case let array as [Any]:
            if array.isEmpty { out += "[]"; return }
            out += "[\n"
            for (i, v) in array.enumerated() {
                out += String(repeating: " ", count: indent + 2)
                write(v, indent: indent + 2, into: &out)
                out += i + 1 < array.count ? ",\n" : "\n"
            }
            out += String(repeating: " ", count: indent) + "]"
        case let object as [String: Any]:
            if object.isEmpty { out += "{}"; return }
            out += "{\n"
            let keys = object.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
            for (i, k) in keys.enumerated() {
                out += String(repeating: " ", count: indent + 2)
                writeString(k, into: &out)
                out += ": "
                write(object[k]!, indent: indent + 2, into: &out)
                out += i + 1 < keys.count ? ",\n" : "\n"
            }
            out += String(repeating: " ", count: indent) + "}"
        default:
            out += "null"
        }
    }

    private static func writeString(_ s: String, into out: inout String) {
        out += "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if u.value < 0x20 {
                    let h = String(u.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - h.count) + h
                } else {
                    out.unicodeScalars.append(u)
                }
            }
        }
        out += "\""
    }
}
