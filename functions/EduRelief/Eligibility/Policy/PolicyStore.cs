using System.Globalization;
using System.Text.Json;
using Azure.Data.Tables;
using EduRelief.Cycles;
using EduRelief.Hosting;
using EduRelief.Storage;

namespace EduRelief.Eligibility;

/// <summary>The shipped default policies, one file per school year: Data/policy-2026.json, Data/policy-2027.json …</summary>
public static class DefaultPolicies
{
    public static string ShippedDirectory => Path.Combine(AppContext.BaseDirectory, "Data");

    /// <summary>Loads and validates every policy-YYYY.json; a bad file stops the app from starting.</summary>
    public static IReadOnlyDictionary<int, ResolvedPolicy> Load(string directory)
    {
        var policies = new Dictionary<int, ResolvedPolicy>();
        foreach (var path in Directory.EnumerateFiles(directory, "policy-*.json").Order(StringComparer.Ordinal))
        {
            var name = Path.GetFileNameWithoutExtension(path);
            if (!int.TryParse(name.AsSpan("policy-".Length), NumberStyles.None, CultureInfo.InvariantCulture, out var year) || name.Length != "policy-YYYY".Length)
            {
                throw new InvalidDataException($"{path}: a default policy file is named policy-YYYY.json after its school year.");
            }

            PolicyDocumentInput? input;
            try
            {
                input = JsonSerializer.Deserialize<PolicyDocumentInput>(File.ReadAllText(path), PolicyJson.Options);
            }
            catch (JsonException ex)
            {
                throw new InvalidDataException($"{path}: {ex.Path}: {ex.Message}", ex);
            }

            if (input?.SchoolYear != year)
            {
                throw new InvalidDataException($"{path}: schoolYear must be {year}, as the file name says.");
            }

            var result = PolicyValidation.Validate(year, input);
            if (!result.IsValid)
            {
                throw new InvalidDataException($"{path}: " + string.Join(" ", result.Errors.SelectMany(e => e.Value.Select(m => $"{e.Key}: {m.En}"))));
            }

            policies[year] = ResolvedPolicy.Create(PolicyScope.Default, result.Document!);
        }

        return policies;
    }
}

/// <summary>The outcome of storing an override: the stored policy, or the errors keyed by field (scope, programs[2].amount …).</summary>
public sealed record PolicyWriteResult(ResolvedPolicy? Policy, IReadOnlyDictionary<string, Text[]> Errors);

/// <summary>
/// Province and county overrides in table "policies" (PartitionKey = school year, RowKey = scope), over the defaults
/// shipped with the app. Each write also keeps an immutable copy under RowKey = its version, so the exact policy a
/// cycle recorded can be read back after the override changes.
/// </summary>
public sealed class PolicyStore : IDeclaresTables
{
    public static IReadOnlyList<DeclaredTable> Tables { get; } = [new("policies")];

    public const int MinSchoolYear = 2000;
    public const int MaxSchoolYear = 2099;

    private readonly TableClient _table;
    private readonly TimeProvider _clock;
    private readonly CountyCatalog _counties;
    private readonly IReadOnlyDictionary<int, ResolvedPolicy> _defaults;

    public PolicyStore(StorageAccount storage, TimeProvider clock, CountyCatalog counties)
        : this(storage, clock, counties, DefaultPolicies.Load(DefaultPolicies.ShippedDirectory))
    {
    }

    internal PolicyStore(StorageAccount storage, TimeProvider clock, CountyCatalog counties, IReadOnlyDictionary<int, ResolvedPolicy> defaults)
    {
        _table = storage.Table("policies");
        _clock = clock;
        _counties = counties;
        _defaults = defaults;
    }

    public Task CreateTableAsync(CancellationToken cancellationToken) => _table.CreateIfNotExistsAsync(cancellationToken);

    /// <summary>The shipped default for the year, or null when none ships.</summary>
    public ResolvedPolicy? Default(int schoolYear) => _defaults.GetValueOrDefault(schoolYear);

    /// <summary>The policy stored for exactly this scope (the shipped one for <c>default</c>), or null.</summary>
    public async Task<ResolvedPolicy?> GetAsync(int schoolYear, PolicyScope scope, CancellationToken cancellationToken)
    {
        if (scope.Kind == PolicyScopeKind.Default)
        {
            return Default(schoolYear);
        }

        var row = await _table.GetEntityIfExistsAsync<TableEntity>(Partition(schoolYear), scope.ToString(), cancellationToken: cancellationToken);
        return row.HasValue ? ToPolicy(row.Value!) : null;
    }

    /// <summary>The policy a cycle recorded by its version, even after the override was replaced; null if unknown.</summary>
    public async Task<ResolvedPolicy?> GetVersionAsync(int schoolYear, string version, CancellationToken cancellationToken)
    {
        if (Default(schoolYear) is { } d && d.Version == version)
        {
            return d;
        }

        if (!version.Contains('@', StringComparison.Ordinal) || version.StartsWith(PolicyScope.DefaultName + "@", StringComparison.Ordinal))
        {
            return null;
        }

        var row = await _table.GetEntityIfExistsAsync<TableEntity>(Partition(schoolYear), version, cancellationToken: cancellationToken);
        return row.HasValue ? ToPolicy(row.Value!) : null;
    }

    /// <summary>County override, else province override (first two digits), else the shipped default; null if none.</summary>
    public async Task<ResolvedPolicy?> ResolveAsync(int schoolYear, string countyCode, CancellationToken cancellationToken)
    {
        var county = GetAsync(schoolYear, PolicyScope.County(countyCode), cancellationToken);
        var province = GetAsync(schoolYear, PolicyScope.ProvinceOf(countyCode), cancellationToken);
        var overrides = (await Task.WhenAll(county, province)).OfType<ResolvedPolicy>();
        return PolicyResolution.Resolve(schoolYear, countyCode, Default(schoolYear), overrides);
    }

    /// <summary>Validates and stores a province or county override, replacing any earlier one for the scope as a whole.</summary>
    public async Task<PolicyWriteResult> PutAsync(int schoolYear, string? scope, PolicyDocumentInput? document, string actor, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, Text[]>(StringComparer.Ordinal);
        if (schoolYear is < MinSchoolYear or > MaxSchoolYear)
        {
            errors["schoolYear"] = [new Text($"schoolYear 为 {MinSchoolYear} 至 {MaxSchoolYear}。", $"schoolYear is {MinSchoolYear} to {MaxSchoolYear}.")];
        }

        if (ScopeError(scope, out var parsed) is { } scopeError)
        {
            errors["scope"] = [scopeError];
        }

        var validation = PolicyValidation.Validate(schoolYear, document);
        foreach (var (field, messages) in validation.Errors)
        {
            errors[field] = errors.TryGetValue(field, out var earlier) ? [.. earlier, .. messages] : messages;
        }

        if (errors.Count > 0)
        {
            return new PolicyWriteResult(null, errors);
        }

        var policy = ResolvedPolicy.Create(parsed!, validation.Document!) with { UpdatedAt = _clock.GetUtcNow(), UpdatedBy = actor };
        var canonical = PolicyJson.Canonical(policy.Document);
        TableEntity Row(string rowKey) => new(Partition(schoolYear), rowKey)
        {
            ["Scope"] = policy.Scope,
            ["Version"] = policy.Version,
            ["Document"] = canonical,
            ["UpdatedAt"] = policy.UpdatedAt,
            ["UpdatedBy"] = actor,
        };

        // One transaction: the current row never names a version whose copy is missing.
        await _table.SubmitTransactionAsync(
            [
                new TableTransactionAction(TableTransactionActionType.UpsertReplace, Row(policy.Scope)),
                new TableTransactionAction(TableTransactionActionType.UpsertReplace, Row(policy.Version)),
            ],
            cancellationToken);
        return new PolicyWriteResult(policy, new Dictionary<string, Text[]>());
    }

    /// <summary>Why a scope cannot take an override, or null when it can.</summary>
    private Text? ScopeError(string? scope, out PolicyScope? parsed)
    {
        parsed = null;
        if (string.IsNullOrEmpty(scope))
        {
            return new Text("缺少 scope：格式为 province:NN（省）或 county:NNNNNN（县），例如 province:41 或 county:410726。", "scope is required: province:NN or county:NNNNNN, e.g. province:41 or county:410726.");
        }

        if (!PolicyScope.TryParse(scope, out parsed))
        {
            return new Text("scope 为 province:NN（GB/T 2260 省级代码）或 county:NNNNNN（县级代码），例如 province:41 或 county:410726。", "scope is province:NN with a GB/T 2260 province code, or county:NNNNNN, e.g. province:41 or county:410726.");
        }

        if (parsed.Kind == PolicyScopeKind.Default)
        {
            return new Text("默认政策随系统发布（Data/policy-YYYY.json），不能修改；请按省或县设置覆盖政策。", "The default policy ships with the app (Data/policy-YYYY.json); override it per province or county.");
        }

        if (parsed.Kind == PolicyScopeKind.County && !_counties.TryGet(parsed.Code, out _))
        {
            return new Text($"{parsed.Code} 不是 GB/T 2260 中的县级行政区划代码。", $"{parsed.Code} is not a county-level code of GB/T 2260.");
        }

        return null;
    }

    private static string Partition(int schoolYear) => schoolYear.ToString(CultureInfo.InvariantCulture);

    private static ResolvedPolicy ToPolicy(TableEntity row)
    {
        var document = PolicyJson.Parse(row.GetString("Document"));
        return new ResolvedPolicy(document.SchoolYear, row.GetString("Version"), row.GetString("Scope"), document)
        {
            UpdatedAt = row.GetDateTimeOffset("UpdatedAt"),
            UpdatedBy = row.GetString("UpdatedBy"),
        };
    }
}
