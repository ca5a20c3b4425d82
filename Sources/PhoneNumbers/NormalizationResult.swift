/// What the `Normalizer` made of one raw value.
public enum NormalizationResult: Hashable, Sendable {
    /// libphonenumber's `IsValidNumber`: in a range its metadata knows.
    case valid(E164)
    /// Right length for the country, but in no range the (2022) metadata knows: AWS decides under
    /// the default policy `send`; held back under `quarantine` (see `applying(_:)`).
    case unverified(E164)
    /// Cannot be sent: quarantined with this reason.
    case invalid(InvalidReason)

    /// The number to send, for `.valid` and `.unverified`.
    public var e164: E164? {
        switch self {
        case .valid(let number), .unverified(let number): number
        case .invalid: nil
        }
    }

    /// Applies `sync.unverified_numbers`: under `.quarantine`, `.unverified` becomes
    /// `.invalid(.possibleOnly)`. Cache the policy-free result and apply the policy after reading it.
    public func applying(_ policy: UnverifiedNumberPolicy) -> NormalizationResult {
        if case .unverified = self, policy == .quarantine { return .invalid(.possibleOnly) }
        return self
    }

    // MARK: Cache encoding

    /// A compact, stable text form for the (raw, region) → result cache:
    /// `v+442079460958` (valid), `u+447700900123` (unverified), `x:too_short` (invalid, reason code).
    /// `init(cacheEncoding:)` reads it back. Results depend on libphonenumber's metadata: key the cache
    /// by `Normalizer.cacheGeneration` too.
    public var cacheEncoding: String {
        switch self {
        case .valid(let number): "v\(number)"
        case .unverified(let number): "u\(number)"
        case .invalid(let reason): "x:\(reason.code)"
        }
    }

    /// Reads `cacheEncoding` back; nil for anything it cannot have produced.
    public init?(cacheEncoding text: String) {
        let rest = String(text.dropFirst())
        switch text.first {
        case "v": guard let number = E164(rest) else { return nil }; self = .valid(number)
        case "u": guard let number = E164(rest) else { return nil }; self = .unverified(number)
        case "x":
            guard rest.hasPrefix(":"), let reason = InvalidReason(rawValue: String(rest.dropFirst())) else { return nil }
            self = .invalid(reason)
        default: return nil
        }
    }
}

/// `sync.unverified_numbers` in the configuration.
public enum UnverifiedNumberPolicy: String, Sendable, CaseIterable, Codable {
    /// Possible-only numbers are sent; AWS's answer decides (a rejection is reported as `failed_to_aws`).
    case send
    /// Possible-only numbers are quarantined with reason `possible_only`.
    case quarantine
}

/// Why a value was quarantined. `code` is stable (stored in the state database); `text` is for people.
public enum InvalidReason: String, Sendable, CaseIterable, Codable, CustomStringConvertible {
    case empty
    case notANumber = "not_a_number"
    case unparseable
    case tooShort = "too_short"
    case tooLong = "too_long"
    case invalidLength = "invalid_length"
    case invalidCountryCode = "invalid_country_code"
    case localOnly = "local_only"
    case possibleOnly = "possible_only"
    case unknownRegion = "unknown_region"

    /// Short machine code, e.g. `too_short`.
    public var code: String { rawValue }

    /// One sentence for reports and `check` output (never contains the number itself).
    public var text: String {
        switch self {
        case .empty: "empty value (NULL, blank, or only invisible characters)"
        case .notANumber: "not a phone number (no digits where a number should be)"
        case .unparseable: "could not be parsed (malformed text)"
        case .tooShort: "too short for any number of its country"
        case .tooLong: "too long for any number of its country"
        case .invalidLength: "length matches no number of its country"
        case .invalidCountryCode: "unknown country calling code"
        case .localOnly: "local number without area code: cannot be made E.164"
        case .possibleOnly: "possible but not in a known range (quarantined by sync.unverified_numbers)"
        case .unknownRegion: "national number, and the row's region is not a known region or calling code"
        }
    }

    public var description: String { code }
}
