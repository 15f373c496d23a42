using System.Text.Json.Nodes;
using Azure.Data.Tables;
using EduRelief.Storage;
using EduRelief.Workflow;

namespace EduRelief.Cycles;

public sealed record Cycle(
    string Id,
    string CountyCode,
    string CountyName,
    string Semester,
    int SchoolYear,
    int NoticeDays,
    string Stage,
    int DefinitionVersion,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    IReadOnlyList<PausedStep> DeadLetters,
    JsonNode? Rosters,
    JsonNode? Verification,
    JsonNode? Notice)
{
    /// <summary>The cycle's hotline cases: how many, per status, and overdue.</summary>
    public JsonObject? Hotline { get; init; }

    /// <summary>The cycle's rectification items: how many in each status, overdue, and the rate (accepted / all).</summary>
    public JsonNode? Rectification { get; init; }

    /// <summary>The batches cut when the notice ended, and the money per program: owed = paid + pending + failed + held.</summary>
    public JsonNode? Disbursement { get; init; }

    /// <summary>Whether each eligible child can be paid: with a usable account, without, or with a holder mismatch to decide.</summary>
    public JsonNode? Accounts { get; init; }

    /// <summary>What the caller may do now (<see cref="CycleActions"/>); only in <c>GET /api/cycles/{id}</c>.</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<string>? AllowedActions { get; init; }

    /// <summary>What the cycle waits on now (<see cref="CycleWait"/>); only in <c>GET /api/cycles/{id}</c>.</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<CycleWait>? WaitingOn { get; init; }

    /// <summary>The cycle's state as stored, typed: what code reads. The JSON parts above are what people see.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public CycleState State { get; init; } = new();
}

/// <summary>Figures another feature adds to the cycle as people see it (counts that live in that feature's tables).</summary>
public interface ICycleFigures
{
    Task<Cycle> AddToAsync(Cycle cycle, CancellationToken cancellationToken);

    /// <summary>
    /// The figures of one school, for its officer, in place of the county's. By default none: what a feature does not
    /// scope to a school stays out of an officer's view.
    /// </summary>
    Task<Cycle> AddForSchoolAsync(Cycle cycle, string schoolCode, CancellationToken cancellationToken) => Task.FromResult(cycle);
}

/// <summary>A cycle list's filters; <paramref name="Counties"/> limits it to the caller's counties (null: every county).</summary>
public sealed record CycleFilter(string? CountyCode, string? Semester, string? Stage, IReadOnlyList<string>? Counties = null);

/// <summary>Cycles are instances of the aid-cycle workflow; a small index table lists them by county and semester.</summary>
public sealed class CycleService(StorageAccount storage, WorkflowEngine engine, StepProcessor steps, IEnumerable<ICycleFigures> figures) : IDeclaresTables
{
    public static IReadOnlyList<DeclaredTable> Tables { get; } = [new("cycles", CycleRowScope.CycleIndexRow)];

    private readonly TableClient _index = storage.Table("cycles");

    public Task CreateTableAsync(CancellationToken cancellationToken) => _index.CreateIfNotExistsAsync(cancellationToken);

    /// <summary>Creates the cycle, or returns the existing one (Created false) when the same county and semester ran before.</summary>
    public async Task<(bool Created, Cycle Cycle)> CreateAsync(County county, Semester semester, int noticeDays, string actor, CancellationToken cancellationToken)
    {
        var id = CycleIds.For(county.Code, semester);
        var data = new JsonObject();
        CycleStateJson.Write(
            new CycleState { CountyCode = county.Code, CountyName = county.Name, Semester = semester.ToString(), SchoolYear = semester.SchoolYear, NoticeDays = noticeDays },
            data);
        var result = await engine.StartAsync(id, AidCycleDefinition.WorkflowName, data, actor, "semester kick-off", cancellationToken);

        // Written after the instance, so a crash in between is repaired by the client's retry of the same kick-off.
        await _index.UpsertEntityAsync(
            new TableEntity("cycle", id) { ["CountyCode"] = county.Code, ["Semester"] = semester.ToString(), ["CreatedAt"] = result.Instance.CreatedAt },
            TableUpdateMode.Replace,
            cancellationToken);
        return (result.Created, ToCycle(result.Instance, []));
    }

    /// <summary>The cycle as people see it, with its dead-lettered steps and the figures of its features.</summary>
    public async Task<Cycle?> GetAsync(string id, CancellationToken cancellationToken) =>
        await FindAsync(id, cancellationToken) is { } cycle ? await CompleteAsync(cycle, cancellationToken) : null;

    /// <summary>
    /// A cycle already read (<see cref="FindAsync"/>) as people see it: with its dead-lettered steps and its features'
    /// figures. Each feature reads its own rows and sets its own parts of the cycle, so the dead letters and every
    /// feature are read at once (one storage round trip's wait instead of one per feature, <c>GET /api/cycles/{id}</c>
    /// at every county size) and the parts each set are then put together (<see cref="CycleParts"/>).
    /// </summary>
    public async Task<Cycle> CompleteAsync(Cycle found, CancellationToken cancellationToken)
    {
        var deadLetters = steps.GetDeadLettersAsync(found.Id, cancellationToken);
        var figured = figures.Select(figure => figure.AddToAsync(found, cancellationToken)).ToList();
        await Task.WhenAll([deadLetters, .. figured]);
        var cycle = found with { DeadLetters = deadLetters.Result.Select(PausedStep.Of).ToList() };
        foreach (var one in figured)
        {
            cycle = CycleParts.Add(found, one.Result, cycle);
        }

        return cycle;
    }

    /// <summary>
    /// The cycle as one school's officer sees it: its stage, dates and notice period, and its features' figures for
    /// that school only (<see cref="SchoolCycleView"/>); nothing of other schools, no people, files or free text.
    /// </summary>
    public async Task<Cycle?> GetForSchoolAsync(string id, string schoolCode, CancellationToken cancellationToken) =>
        await FindAsync(id, cancellationToken) is { } found ? await ForSchoolAsync(found, schoolCode, cancellationToken) : null;

    /// <summary>A cycle already read as one school's officer sees it (<see cref="GetForSchoolAsync"/>).</summary>
    public async Task<Cycle> ForSchoolAsync(Cycle found, string schoolCode, CancellationToken cancellationToken)
    {
        var cycle = SchoolCycleView.Of(found, schoolCode);
        foreach (var figure in figures)
        {
            cycle = await figure.AddForSchoolAsync(cycle, schoolCode, cancellationToken);
        }

        return cycle;
    }

    /// <summary>The cycle without its dead letters: one point read, for checks of existence, stage or verification.</summary>
    public async Task<Cycle?> FindAsync(string id, CancellationToken cancellationToken)
    {
        var instance = await engine.GetAsync(id, cancellationToken);
        return instance is null || instance.Definition != AidCycleDefinition.WorkflowName ? null : ToCycle(instance, []);
    }

    /// <summary>
    /// The county's latest cycle (by creation) whose verification completed, or null before any: the app knows a
    /// county's schools and children only from its verified rosters.
    /// </summary>
    public async Task<Cycle?> LatestVerifiedAsync(string countyCode, CancellationToken cancellationToken)
    {
        Cycle? latest = null;
        string? token = null;
        do
        {
            var page = await ListAsync(new CycleFilter(countyCode, null, null), token, Hosting.Paging.Max, cancellationToken);
            foreach (var cycle in page.Items)
            {
                if (cycle.State.Verification is { IsCompleted: true, RunId: not null } && (latest is null || cycle.CreatedAt > latest.CreatedAt))
                {
                    latest = cycle;
                }
            }

            token = page.ContinuationToken;
        }
        while (token is not null);

        return latest;
    }

    /// <summary>The counties that have at least one cycle: one read of the small index, not one per county of the catalog.</summary>
    public async Task<IReadOnlySet<string>> CountiesWithCyclesAsync(CancellationToken cancellationToken)
    {
        var counties = new SortedSet<string>(StringComparer.Ordinal);
        await foreach (var e in _index.QueryAsync<TableEntity>("PartitionKey eq 'cycle'", select: ["CountyCode"], cancellationToken: cancellationToken))
        {
            if (e.GetString("CountyCode") is { } county)
            {
                counties.Add(county);
            }
        }

        return counties;
    }

    public async Task<Page<Cycle>> ListAsync(CycleFilter filter, string? continuationToken, int pageSize, CancellationToken cancellationToken)
    {
        var clauses = new List<string> { "PartitionKey eq 'cycle'" };
        if (filter.CountyCode is not null)
        {
            clauses.Add(TableClient.CreateQueryFilter($"CountyCode eq {filter.CountyCode}"));
        }

        if (filter.Semester is not null)
        {
            clauses.Add(TableClient.CreateQueryFilter($"Semester eq {filter.Semester}"));
        }

        if (filter.Counties is { } counties)
        {
            clauses.Add(Auth.CountyScope.TableFilter("CountyCode", counties));
        }

        await foreach (var page in _index.QueryAsync<TableEntity>(string.Join(" and ", clauses), pageSize, cancellationToken: cancellationToken).AsPages(continuationToken, pageSize))
        {
            var items = new List<Cycle>();
            foreach (var row in page.Values)
            {
                // The stage lives in the instance, not the index, so a listed stage is never stale.
                var instance = await engine.GetAsync(row.RowKey, cancellationToken);
                if (instance is not null && (filter.Stage is null || instance.Stage == filter.Stage))
                {
                    items.Add(ToCycle(instance, []));
                }
            }

            return new Page<Cycle>(items, page.ContinuationToken);
        }

        return new Page<Cycle>([], null);
    }

    public Task<Page<HistoryEntry>> HistoryAsync(string id, string? continuationToken, int pageSize, CancellationToken cancellationToken) =>
        engine.GetHistoryAsync(id, continuationToken, pageSize, cancellationToken);

    public Task<EventResult> CancelAsync(string id, string reason, string actor, CancellationToken cancellationToken) =>
        // One cancellation per cycle: the constant event id makes a repeated request a no-op.
        engine.RaiseAsync(id, new WorkflowEvent("cancel", CycleEvents.Cancel, null, actor, reason), cancellationToken);

    internal static Cycle ToCycle(InstanceSnapshot i, IReadOnlyList<PausedStep> deadLetters)
    {
        var state = CycleState.Of(i);
        return new(
            i.Id,
            state.CountyCode ?? "",
            state.CountyName ?? "",
            state.Semester ?? "",
            state.SchoolYear ?? 0,
            state.NoticeDays ?? 5,
            i.Stage,
            i.Version,
            i.CreatedAt,
            i.UpdatedAt,
            deadLetters,
            CycleStateJson.ToNode(state.Rosters),
            CycleStateJson.ToNode(state.Verification),
            CycleStateJson.ToNode(state.Notice))
        {
            Disbursement = CycleStateJson.ToNode(state.Disbursement),
            State = state,
        };
    }
}
