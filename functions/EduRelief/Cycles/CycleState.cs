using EduRelief.Eligibility;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using EduRelief.Hosting;
using EduRelief.Rosters;
using EduRelief.Workflow;

namespace EduRelief.Cycles;

/// <summary>
/// What a cycle keeps in its workflow instance: the county and semester it was kicked off for, then what each step
/// recorded. Read and written only through <see cref="CycleStateJson"/>, whose JSON is the instance data as stored
/// since version 1 (camelCase names, China-time timestamps, absent until set), so cycles already running keep loading.
/// Every part keeps fields it does not know in <c>Other</c>, so nothing an older or newer build wrote is lost.
/// </summary>
public sealed record CycleState
{
    public string? CountyCode { get; init; }

    public string? CountyName { get; init; }

    public string? Semester { get; init; }

    public int? SchoolYear { get; init; }

    /// <summary>Working days of public notice asked for at kick-off.</summary>
    public int? NoticeDays { get; init; }

    /// <summary>The current upload of each roster, by kind (<see cref="RosterFiles"/>).</summary>
    public IReadOnlyDictionary<string, RosterUpload>? Rosters { get; init; }

    public VerificationRun? Verification { get; init; }

    public CycleNotice? Notice { get; init; }

    /// <summary>Version 3: the verification's findings opened as rectification items.</summary>
    public CycleFindings? Findings { get; init; }

    /// <summary>Version 3: the batches cut when the notice ended.</summary>
    public CycleDisbursement? Disbursement { get; init; }

    /// <summary>The fence of a close in progress (see <see cref="CycleCloser"/>); absent otherwise.</summary>
    public ClosingFence? Closing { get; init; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Other { get; init; }

    public static CycleState Of(InstanceSnapshot instance) => CycleStateJson.Read(instance.Data);

    /// <summary>Both rosters verification needs are in.</summary>
    [JsonIgnore]
    public bool HasBothRosters =>
        Rosters is { } r && r.GetValueOrDefault(RosterFiles.Students) is not null && r.GetValueOrDefault(RosterFiles.Poverty) is not null;
}

/// <summary>One roster upload as the roster endpoint records it (<c>roster.uploaded</c>'s payload).</summary>
public sealed record RosterUpload
{
    public string? Kind { get; init; }

    public string? ImportId { get; init; }

    public string? Sha256 { get; init; }

    public long? Size { get; init; }

    public int? Rows { get; init; }

    /// <summary><c>csv</c> or <c>xlsx</c>.</summary>
    public string? Format { get; init; }

    /// <summary>Written even when the upload had no file name (as null), as the endpoint always did.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public string? FileName { get; init; }

    public string? UploadedBy { get; init; }

    public DateTimeOffset? UploadedAt { get; init; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Other { get; init; }
}

/// <summary>
/// The current verification run: <c>running</c> from its start, then the summary the verify step returned
/// (<see cref="Eligibility.VerificationSummary"/>): <c>completed</c> with its figures, or <c>failed</c> with the error.
/// </summary>
public sealed record VerificationRun
{
    public const string Running = "running";
    public const string Completed = "completed";
    public const string Failed = "failed";

    public string? Status { get; init; }

    public string? RunId { get; init; }

    /// <summary>Set while running; a finished run's summary replaces the running record, so it has none.</summary>
    public DateTimeOffset? StartedAt { get; init; }

    public DateTimeOffset? CompletedAt { get; init; }

    public string? Error { get; init; }

    public int? Students { get; init; }

    public int? PovertyPersons { get; init; }

    public int? Matched { get; init; }

    public int? Eligible { get; init; }

    /// <summary>Name mismatches a person still has to decide; approval waits for none.</summary>
    public int? PendingReview { get; init; }

    public int? Rejected { get; init; }

    /// <summary>How many discrepancies of each kind, in <see cref="Eligibility.DiscrepancyKinds.All"/> order.</summary>
    public IReadOnlyDictionary<string, int>? Discrepancies { get; init; }

    /// <summary>Registered children in no school's roster who study outside the county (the 外地就学 list); absent before that list existed.</summary>
    public int? OutsideCounty { get; init; }

    /// <summary>Per program code: recipients and yuan.</summary>
    public IReadOnlyDictionary<string, ProgramFigures>? Programs { get; init; }

    public Yuan? TotalAmount { get; init; }

    public string? PolicyVersion { get; init; }

    public string? PolicyScope { get; init; }

    /// <summary>The schools the notice lists (eligible and pending-review students), in code order.</summary>
    public IReadOnlyList<string>? Schools { get; init; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Other { get; init; }

    [JsonIgnore]
    public bool IsCompleted => Status == Completed;
}

public sealed record ProgramFigures(int? Recipients, Yuan? Amount);

/// <summary>The public notice period set at approval, and what happened to it since.</summary>
public sealed record CycleNotice
{
    public DateTimeOffset? PublishedAt { get; init; }

    public DateTimeOffset? EndsAt { get; init; }

    public int? WorkingDays { get; init; }

    /// <summary>The working-day calendar of a year in the period was missing, so weekends alone were skipped.</summary>
    public bool? CalendarMissing { get; init; }

    public int? ObjectionsOpen { get; init; }

    public DateTimeOffset? TakenDownAt { get; init; }

    /// <summary>Version 2 on: the schools' notice documents, once all are rendered.</summary>
    public CycleNoticeDocuments? Documents { get; init; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Other { get; init; }
}

public sealed record CycleNoticeDocuments(int? Schools, int? Rows, DateTimeOffset? CompletedAt);

public sealed record CycleFindings(int? Items, DateTimeOffset? OpenedAt);

public sealed record CycleDisbursement(IReadOnlyList<CutBatch>? Batches, DateTimeOffset? CutAt);

/// <summary>A batch as the cut step reported it; the batch itself lives in Disbursement's tables.</summary>
public sealed record CutBatch
{
    public string? Id { get; init; }

    public string? Program { get; init; }

    public int? Count { get; init; }

    public Yuan? Total { get; init; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Other { get; init; }
}

/// <summary>The fence a close attempt put up: new items arriving meet it and take it down.</summary>
public sealed record ClosingFence(string? Id, DateTimeOffset? At);

/// <summary>The one serializer of <see cref="CycleState"/> and its parts, to and from the instance's JSON.</summary>
public static class CycleStateJson
{
    public static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Converters = { new ChinaTimeJsonConverter() },
    };

    public static CycleState Read(JsonObject data) => data.Deserialize<CycleState>(Options) ?? new CycleState();

    /// <summary>Replaces the contents of <paramref name="data"/> (the transition's instance data) with <paramref name="state"/>.</summary>
    public static void Write(CycleState state, JsonObject data)
    {
        var fresh = ToNode(state)!.AsObject();
        data.Clear();
        foreach (var (name, value) in fresh.ToList())
        {
            fresh.Remove(name);
            data[name] = value;
        }
    }

    /// <summary>A part of the state as JSON (for the API's view of a cycle, and for step payloads); null stays null.</summary>
    public static JsonNode? ToNode<T>(T? value) => value is null ? null : JsonSerializer.SerializeToNode(value, Options);

    /// <summary>A part of the state from JSON, such as an event's payload.</summary>
    public static T? FromNode<T>(JsonNode? node) => node is null ? default : node.Deserialize<T>(Options);
}
