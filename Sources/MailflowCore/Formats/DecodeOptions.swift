import Foundation

/// What the decoders need to know that a file cannot say (corpus README, rule N5).
public struct DecodeOptions: Sendable {
    /// Read every input as this format instead of detecting it (`--format`).
    public var format: LogFormat?
    /// First year of yearless classic syslog lines (Postfix `--year`): it applies to the
    /// first line, and each time the month goes down (December to January) it increases.
    public var year: Int?
    /// IANA zone name for times that carry no zone (`--timezone`; PowerShell exports,
    /// classic syslog). Default `UTC`.
    public var timeZone: String = "UTC"

    public init(format: LogFormat? = nil, year: Int? = nil, timeZone: String = "UTC") {
        self.format = format
        self.year = year
        self.timeZone = timeZone
    }

    /// Checks `timeZone` against the system's zone database (tzdata).
    /// - Throws: ``LocalClock/Failure/unknownZone(_:)``.
    public func validate() throws {
        _ = try LocalClock(zone: timeZone)
    }
}

/// Converts wall-clock times of one IANA zone to UTC, with a cache per local hour so that
/// the per-record cost is a dictionary lookup. The zone rules come from the system's
/// tz database (`/usr/share/zoneinfo`, Debian package `tzdata`) through Foundation.
public final class LocalClock {
    public enum Failure: Error, CustomStringConvertible {
        case unknownZone(String)

        public var description: String {
            switch self {
            case .unknownZone(let z):
                return "unknown time zone '\(z)': give an IANA name such as UTC, Europe/Berlin or America/New_York (is the tzdata package installed?)"
            }
        }
    }

    /// The zone's IANA name.
    public let zone: String
    private let timeZone: TimeZone?
    private var offsets: [Int64: Int64] = [:]

    /// - Throws: ``Failure/unknownZone(_:)`` when the name is not in the tz database.
    public init(zone: String) throws {
        self.zone = zone
        if zone == "UTC" || zone == "Etc/UTC" || zone == "Z" {
            timeZone = nil
        } else {
            guard let tz = TimeZone(identifier: zone) else { throw Failure.unknownZone(zone) }
            timeZone = tz
        }
    }

    /// Whether the zone is UTC (no conversion).
    public var isUTC: Bool { timeZone == nil }

    /// The UTC instant (ms since the epoch) of a wall-clock time given as ms "as if UTC".
    /// A wall time that occurs twice (the hour repeated when DST ends) resolves to the
    /// first occurrence (the offset before the change); one that does not exist (the hour
    /// skipped when DST starts) is read with the offset before the change.
    public func utc(fromLocal local: Int64) -> Int64 {
        guard let tz = timeZone else { return local }
        let hour = local >= 0 ? local / 3_600_000 : (local - 3_599_999) / 3_600_000
        if let off = offsets[hour] { return local - off }
        // Try the offset in force an hour before and after; keep the first that maps back.
        let before = Int64(tz.secondsFromGMT(for: Date(timeIntervalSince1970: Double(local) / 1000 - 7200))) * 1000
        let after = Int64(tz.secondsFromGMT(for: Date(timeIntervalSince1970: Double(local) / 1000 + 7200))) * 1000
        var chosen = before
        for candidate in [before, after] {
            let instant = local - candidate
            if Int64(tz.secondsFromGMT(for: Date(timeIntervalSince1970: Double(instant) / 1000))) * 1000 == candidate {
                chosen = candidate
                break
            }
        }
        if offsets.count > 100_000 { offsets.removeAll() }
        offsets[hour] = chosen
        return local - chosen
    }
}
