import Postgres

/// Pure shape checks and parsers for configuration values. Each returns nil (or false) when the
/// text does not have the shape; `ConfigLoader` turns that into a `ConfigError` with the key path.
public enum Shapes {
    /// `[a-z0-9_-]+`, at most 64 characters.
    public static func isBusinessUnitName(_ text: String) -> Bool {
        text.count <= 64 && text.wholeMatch(of: /[a-z0-9_-]+/) != nil
    }

    /// The shape of an ISO 3166 alpha-2 code: two upper-case letters. The phone-number module
    /// supplies the real check (regions libphonenumber knows) through `ConfigLoader`'s `regionValidator`.
    public static func isAlpha2Shape(_ text: String) -> Bool {
        text.wholeMatch(of: /[A-Z]{2}/) != nil
    }

    /// An AWS region name: `us-east-1`, `eu-west-2`, `us-gov-west-1`, `cn-north-1`, `ap-southeast-4`.
    public static func isAWSRegion(_ text: String) -> Bool {
        text.wholeMatch(of: /[a-z]{2}(-[a-z]+){1,2}-[0-9]{1,2}/) != nil
    }

    /// An opt-out list name: `[A-Za-z0-9_-]{1,64}`.
    public static func isOptOutListName(_ text: String) -> Bool {
        text.wholeMatch(of: /[A-Za-z0-9_-]{1,64}/) != nil
    }

    /// `arn:aws[-cn|-us-gov…]:sms-voice:REGION:ACCOUNT:opt-out-list/ID`.
    public static func optOutListARN(_ text: String) -> OptOutListARN? {
        guard let match = text.wholeMatch(of: /arn:(aws[a-z-]*):sms-voice:([a-z0-9-]+):([0-9]{12}):opt-out-list\/([A-Za-z0-9_-]{1,128})/),
              isAWSRegion(String(match.2)) else { return nil }
        return OptOutListARN(partition: String(match.1), region: String(match.2), account: String(match.3), resourceID: String(match.4))
    }

    /// `arn:aws:iam::ACCOUNT:role/[path/]name`.
    public static func roleARN(_ text: String) -> RoleARN? {
        guard let match = text.wholeMatch(of: /arn:(aws[a-z-]*):iam::([0-9]{12}):role\/([A-Za-z0-9+=,.@_\/-]{1,512})/),
              !match.3.hasSuffix("/") else { return nil }
        return RoleARN(partition: String(match.1), account: String(match.2), roleName: String(match.3))
    }

    /// A pool id (`pool-…`) or pool ARN (`arn:aws:sms-voice:REGION:ACCOUNT:pool/pool-…`).
    public static func isPool(_ text: String) -> Bool {
        if text.wholeMatch(of: /pool-[A-Za-z0-9]{1,64}/) != nil { return true }
        guard let match = text.wholeMatch(of: /arn:aws[a-z-]*:sms-voice:([a-z0-9-]+):[0-9]{12}:pool\/pool-[A-Za-z0-9]{1,64}/) else { return false }
        return isAWSRegion(String(match.1))
    }

    /// An STS external id: 2–1224 characters of `[\w+=,.@:/-]`.
    public static func isExternalID(_ text: String) -> Bool {
        text.wholeMatch(of: /[A-Za-z0-9_+=,.@:\/-]{2,1224}/) != nil
    }

    /// An exact PostgreSQL identifier (a column or schema name as stored): 1–63 bytes, no NUL.
    public static func isIdentifier(_ text: String) -> Bool {
        !text.isEmpty && text.utf8.count <= 63 && !text.contains("\u{0}")
    }

    /// `schema.table` by PostgreSQL's rules (`PostgresQualifiedName`: unquoted parts fold to lower
    /// case, double-quoted parts are exact, `""` is a quote); the schema is required.
    public static func qualifiedTableName(_ text: String) -> PostgresQualifiedName? {
        guard let name = try? PostgresQualifiedName(parsing: text), let schema = name.schema,
              isIdentifier(schema), isIdentifier(name.name) else { return nil }
        return name
    }

    /// A `host:port` (`127.0.0.1:9464`, `localhost:9464`, `[::1]:9464`); port 1–65535.
    public static func listenAddress(_ text: String) -> ListenAddress? {
        let host: Substring, port: Substring
        if let match = text.wholeMatch(of: /\[([0-9A-Fa-f:.]+)\]:([0-9]{1,5})/) {
            (host, port) = (match.1, match.2)
        } else if let match = text.wholeMatch(of: /([A-Za-z0-9.-]+):([0-9]{1,5})/) {
            (host, port) = (match.1, match.2)
        } else {
            return nil
        }
        guard let number = UInt16(port), number > 0 else { return nil }
        return ListenAddress(host: String(host), port: number)
    }

    /// The numbers of the `$n` parameters an SQL text uses, outside string literals, quoted
    /// identifiers, dollar-quoted strings and comments. Nil when a literal or comment is unterminated.
    public static func sqlParameters(_ sql: String) -> Set<Int>? {
        let chars = Array(sql.unicodeScalars)
        var found: Set<Int> = []
        var i = 0
        func skip(past terminator: [Unicode.Scalar], from start: Int) -> Int? {
            var j = start
            while j + terminator.count <= chars.count {
                if Array(chars[j..<j + terminator.count]) == terminator { return j + terminator.count }
                j += 1
            }
            return nil
        }
        while i < chars.count {
            let c = chars[i]
            let next: Unicode.Scalar? = i + 1 < chars.count ? chars[i + 1] : nil
            switch c {
            case "'", "\"":
                // '' and "" inside are escapes: skipping past each closing quote handles them.
                guard let end = skip(past: [c], from: i + 1) else { return nil }
                i = end
            case "-" where next == "-":
                i = skip(past: ["\n"], from: i + 2) ?? chars.count
            case "/" where next == "*":
                guard let end = skip(past: ["*", "/"], from: i + 2) else { return nil }
                i = end
            case "$":
                var j = i + 1
                while j < chars.count, ("0"..."9").contains(chars[j]) { j += 1 }
                if j > i + 1 {
                    guard let number = Int(String(String.UnicodeScalarView(chars[(i + 1)..<j]))) else { return nil }
                    found.insert(number)
                    i = j
                    continue
                }
                // A dollar quote: $$…$$ or $tag$…$tag$.
                while j < chars.count, chars[j].properties.isAlphabetic || chars[j] == "_" || ("0"..."9").contains(chars[j]) { j += 1 }
                if j < chars.count, chars[j] == "$" {
                    let tag = Array(chars[i...j])
                    guard let end = skip(past: tag, from: j + 1) else { return nil }
                    i = end
                } else {
                    i += 1
                }
            default:
                i += 1
            }
        }
        return found
    }
}
