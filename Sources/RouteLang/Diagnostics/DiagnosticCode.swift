// MARK: - DiagnosticCode

/// Every diagnostic RouteLang can emit, with its stable code.
///
/// Numbering: RL00xx lexical, RL01xx syntax, RL02xx semantic errors,
/// RL03xx warnings, RL04xx YAML front end. Codes are never reused; a retired
/// code stays in this list. `docs/diagnostics.md` documents each one.
public enum DiagnosticCode: String, Sendable, Hashable, CaseIterable {
    // MARK: Lexical
    case unterminatedString = "RL0001"
    case invalidStringEscape = "RL0002"
    case unexpectedCharacter = "RL0003"
    case unterminatedTemplate = "RL0004"

    // MARK: Syntax
    case expectedToken = "RL0100"
    case unknownStatement = "RL0101"
    case invalidAddress = "RL0102"
    case invalidPort = "RL0103"
    case unknownListenOption = "RL0104"
    case unknownNamerKind = "RL0105"
    case unknownIdentifier = "RL0106"
    case invalidPath = "RL0107"
    case invalidPathEscape = "RL0108"
    case misplacedWildcard = "RL0109"
    case misplacedTemplate = "RL0110"
    case unknownTemplateVariable = "RL0111"
    case invalidWeight = "RL0112"
    case invalidDuration = "RL0113"
    case invalidPercentage = "RL0114"
    case invalidRate = "RL0115"
    case invalidInteger = "RL0116"
    case unknownPolicy = "RL0117"
    case unknownRetryClass = "RL0118"
    case unknownBalancer = "RL0119"
    case unknownAccrualMode = "RL0120"
    case invalidDurationRange = "RL0121"
    case unknownCondition = "RL0122"
    case invalidMethod = "RL0123"
    case duplicateOption = "RL0125"
    case unknownResponseClass = "RL0126"
    case invalidStatusClass = "RL0127"
    case expectedDentryArrow = "RL0128"
    case missingSemicolon = "RL0129"
    case unclosedBlock = "RL0130"
    case emptyCondition = "RL0131"
    case invalidName = "RL0133"
    case invalidHeaderName = "RL0134"
    case unknownOption = "RL0135"
    case invalidTree = "RL0136"
    case invalidByteSize = "RL0137"
    case emptyDentry = "RL0138"
    case missingComma = "RL0139"
    case wrongOperator = "RL0140"
    case unknownProtocol = "RL0141"

    // MARK: Semantic errors
    case duplicateRoute = "RL0200"
    case missingRouteTarget = "RL0201"
    case duplicateRouteTarget = "RL0203"
    case duplicateBlock = "RL0204"
    case duplicateNamer = "RL0205"
    case unknownNamer = "RL0206"
    case duplicateListener = "RL0208"
    case contradictoryTimeouts = "RL0209"
    case invertedRange = "RL0210"
    case valueOutOfRange = "RL0211"
    case duplicateSplit = "RL0214"
    case invalidRegex = "RL0215"
    case invalidPathPattern = "RL0218"
    case invalidHostPattern = "RL0219"
    case unknownBuiltinNamer = "RL0221"
    case addressConflict = "RL0223"
    case duplicateCondition = "RL0224"
    case contradictoryConditions = "RL0225"
    case delegationLoop = "RL0226"
    case invalidUpgrade = "RL0227"
    case unreadableNamerDirectory = "RL0228"
    case mixedWeights = "RL0229"
    case weightedAlternative = "RL0230"
    case invalidStaticAddresses = "RL0231"

    // MARK: Warnings
    case shadowedRoute = "RL0300"
    case splitWeightsNot100 = "RL0301"
    case retryWithoutIdempotence = "RL0302"
    case publicDtabOverride = "RL0303"
    case publicAdmin = "RL0304"
    case unusedNamer = "RL0305"
    case unbindableName = "RL0306"
    case noListener = "RL0307"
    case nothingRoutable = "RL0308"
    case retryNeverFires = "RL0309"
    case possibleDelegationLoop = "RL0310"
    case grpcClassUnused = "RL0311"
    case unknownService = "RL0312"

    // MARK: YAML
    case yamlSyntax = "RL0400"
    case yamlUnknownKey = "RL0401"
    case yamlWrongType = "RL0402"
    case yamlMissingKey = "RL0403"
    case importNotCarried = "RL0500"
    case importApproximated = "RL0501"

    /// Whether the code reports an error unless a caller overrides it.
    public var defaultSeverity: Diagnostic.Severity {
        rawValue.hasPrefix("RL03") ? .warning : .error
    }
}
