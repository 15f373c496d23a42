using Stopwatch = System.Diagnostics.Stopwatch;
using System.Text.Json.Nodes;
using EduRelief.Children;
using EduRelief.Cycles;
using EduRelief.Hosting;
using EduRelief.Rosters;
using EduRelief.Rosters.Parsing;
using EduRelief.Workflow;

namespace EduRelief.Eligibility;

/// <summary>
/// The cycle's verification step: streams both stored rosters through <see cref="Verifier"/>, writes the run's ledger
/// and discrepancy rows, and returns the figures the cycle shows. Idempotent: a retry rewrites the same rows.
/// The county's previous cycle, from the child registry, is compared with this one (transferred and absent children
/// join the discrepancies), and the cycle's children are then written to the registry.
/// A county without a policy for the school year is an expected failure: the run ends as failed with the reason.
/// </summary>
public sealed class VerifyActivity(
    WorkflowEngine engine, RosterStore rosters, PolicyStore policies, EligibilityStore store, Accounts.CycleAccounts accounts, ChildRegistry children, ReferralStore referrals, DropoutCaseStore dropoutCases, DropoutCaseItems dropoutItems, ILogger<VerifyActivity> logger) : IActivity
{
    public const string KindName = "verify.run";

    public string Kind => KindName;

    public RetryPolicy Retry { get; } = new(4, TimeSpan.FromSeconds(5), TimeSpan.FromMinutes(2));

    public async Task<JsonObject?> RunAsync(ActivityContext context, CancellationToken cancellationToken)
    {
        var runId = (string)context.Input!["runId"]!;
        var cycle = await engine.GetAsync(context.InstanceId, cancellationToken) ?? throw new InvalidOperationException($"Cycle {context.InstanceId} does not exist.");
        var state = CycleState.Of(cycle);
        if (!IsCurrent(state, runId))
        {
            // A redelivered or superseded run: its results are recorded already, or no longer wanted.
            return Superseded(runId);
        }

        var students = state.Rosters?.GetValueOrDefault(RosterFiles.Students) ?? throw new InvalidOperationException("The student roster is missing.");
        var poverty = state.Rosters?.GetValueOrDefault(RosterFiles.Poverty) ?? throw new InvalidOperationException("The poverty registry is missing.");
        var schoolYear = state.SchoolYear!.Value;
        var countyCode = state.CountyCode!;

        var policy = await policies.ResolveAsync(schoolYear, countyCode, cancellationToken);
        if (policy is null)
        {
            return Result(runId, VerificationSummary.Failed(runId, new Text(
                $"{schoolYear} 学年尚无资助政策：请先通过 PUT /api/policies/{schoolYear} 发布政策，再重新核验。",
                $"There is no aid policy for school year {schoolYear}; publish one with PUT /api/policies/{schoolYear}, then re-run verification.")));
        }

        var semester = Semester.TryParse(state.Semester, out var parsed) ? parsed : throw new InvalidOperationException($"Cycle {context.InstanceId} has no semester.");
        var started = Stopwatch.GetTimestamp();
        var created = ChinaTime.DateOf(cycle.CreatedAt);
        await using var povertyStream = await rosters.OpenAsync(poverty.Sha256!, cancellationToken);
        await using var studentStream = await rosters.OpenAsync(students.Sha256!, cancellationToken);
        // Read alongside the poverty registry; awaited on every way out, so that it never runs on after the step.
        var previousRead = ReadPreviousAsync(countyCode, semester, cancellationToken);
        var casesRead = dropoutCases.AwaitingRosterAsync(countyCode, cancellationToken);
        VerificationResult result;
        IReadOnlyList<OutsideChild>? outside;
        try
        {
            outside = await ReadOutsideAsync(state, created, cancellationToken);
            result = await Verifier.RunAsync(
                RosterReader.ReadAsync(povertyStream, Format(poverty), RosterKind.Poverty, cancellationToken),
                RosterReader.ReadAsync(studentStream, Format(students), RosterKind.Students, cancellationToken),
                created,
                schoolYear,
                policy,
                cancellationToken,
                FollowedAsync(previousRead, casesRead),
                outside);
        }
        catch (RosterFileException ex)
        {
            // The upload was checked, so this means a stored file cannot be read the same way any more.
            await previousRead;
            await casesRead;
            return Result(runId, VerificationSummary.Failed(runId, new Text($"已存储的名册无法读取：{ex.Title.Zh}", $"A stored roster could not be read: {ex.Message}")));
        }

        var (previous, registryRead) = await previousRead;
        await casesRead;
        var comparing = Stopwatch.GetTimestamp();
        var compared = previous is null ? null : CycleComparison.Compare(previous, semester, result, outside ?? []);
        if (compared is not null)
        {
            result = CycleComparison.Apply(result, compared);
        }

        var compare = Stopwatch.GetElapsedTime(comparing);
        await store.WriteRunAsync(context.InstanceId, runId, result, cancellationToken);
        // The registry and the referrals are the county's, not the run's: a run a newer roster replaced meanwhile writes
        // neither (its ledger and discrepancy rows are its own and harmless).
        if (await engine.GetAsync(context.InstanceId, cancellationToken) is not { } now || !IsCurrent(CycleState.Of(now), runId))
        {
            return Superseded(runId);
        }

        var writing = Stopwatch.GetTimestamp();
        await children.WriteCycleAsync(countyCode, semester, runId, result, compared, cancellationToken);
        var registryWrite = Stopwatch.GetElapsedTime(writing);
        if (compared is not null)
        {
            // 两后生: an autumn cycle refers the spring's graduates who are in no school now (none from another pair of cycles).
            await referrals.OpenAsync(countyCode, CycleIds.For(countyCode, compared.Previous.Semester), context.InstanceId, [.. CycleComparison.ReferralCandidates(compared)], cancellationToken);
        }

        // 控辍保学: a child of a case whom this roster lists is back at school (confirmed by the roster); every child out of
        // school without an open case gets one, and an open case carries over (DOMAIN "控辍保学 cases").
        foreach (var returned in await dropoutCases.ApplyRosterAsync(countyCode, context.InstanceId, result.Followed, cancellationToken))
        {
            await dropoutItems.CloseAsync(returned, cancellationToken);
        }

        await dropoutCases.OpenOrCarryAsync(countyCode, context.InstanceId, DropoutCandidates.Of(result), cancellationToken);

        // Which of the run's eligible children the county's accounts can pay, and which holders a person must look at.
        await accounts.RefreshAsync(context.InstanceId, countyCode, runId, cycle.Stage, cancellationToken);
        logger.LogInformation("{CycleId}: verification {RunId} read {Students} student rows and {Persons} registry rows", context.InstanceId, runId, result.Counts.Students, result.Counts.PovertyPersons);
        // What the child registry adds to the step (the bench's registry mode reads this line): the comparison and the
        // write, and at most the read of the previous cycle, which runs while the poverty registry is read.
        logger.LogInformation(
            "{CycleId}: verification {RunId} took {StepSeconds:F1} s; child registry: previous cycle read {ReadSeconds:F1} s (alongside the poverty registry), compared {CompareSeconds:F1} s, written {WriteSeconds:F1} s",
            context.InstanceId, runId, Stopwatch.GetElapsedTime(started).TotalSeconds, registryRead.TotalSeconds, compare.TotalSeconds, registryWrite.TotalSeconds);
        var previousCycle = previous is null ? null : CycleIds.For(countyCode, previous.Semester);
        return Result(runId, VerificationSummary.Completed(runId, result.Counts, policy, VerificationSummary.NoticeSchools(result), previousCycle));
    }

    /// <summary>The cycle's 外地就学 list, when one was uploaded; it was checked then, so a refusal now means it reads differently.</summary>
    private async Task<IReadOnlyList<OutsideChild>?> ReadOutsideAsync(CycleState state, DateOnly created, CancellationToken cancellationToken)
    {
        if (state.Rosters?.GetValueOrDefault(RosterFiles.Outside) is not { } upload)
        {
            return null;
        }

        await using var stream = await rosters.OpenAsync(upload.Sha256!, cancellationToken);
        var content = await OutsideList.ReadAsync(RosterReader.ReadAsync(stream, Format(upload), RosterKind.Outside, cancellationToken), created, cancellationToken);
        if (content.Refused)
        {
            var (where, why) = content.Errors.First();
            throw RosterFileException.File(new Text("外地就学名单无法读取", "The 外地就学 list cannot be read"), new Text($"{where}：{why[0].Zh}", $"{where}: {why[0].En}"));
        }

        return content.Children;
    }

    /// <summary>The county's previous cycle in the child registry (null: none) and how long reading it took.</summary>
    private async Task<(PreviousCycle? Previous, TimeSpan Took)> ReadPreviousAsync(string countyCode, Semester semester, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var previous = await children.PreviousCycleAsync(countyCode, semester, cancellationToken);
        return (previous, Stopwatch.GetElapsedTime(started));
    }

    /// <summary>The children the verifier follows through the roster: the previous cycle's, and those of 控辍保学 cases the roster may close or confirm.</summary>
    private static async Task<IReadOnlySet<long>?> FollowedAsync(Task<(PreviousCycle? Previous, TimeSpan Took)> read, Task<IReadOnlySet<long>> cases)
    {
        var previous = (await read).Previous;
        var awaiting = await cases;
        if (previous is null && awaiting.Count == 0)
        {
            return null;
        }

        var followed = previous is null ? new HashSet<long>() : new HashSet<long>(CycleComparison.Followed(previous));
        followed.UnionWith(awaiting);
        return followed;
    }

    private static bool IsCurrent(CycleState state, string runId) =>
        state.Verification?.RunId == runId && state.Verification.Status == VerificationRun.Running;

    private static JsonObject Superseded(string runId) => Result(runId, new JsonObject { ["status"] = "superseded" });

    private static JsonObject Result(string runId, JsonObject summary)
    {
        summary["runId"] = runId;
        return summary;
    }

    private static RosterFormat Format(RosterUpload roster) =>
        roster.Format == "xlsx" ? RosterFormat.Xlsx : RosterFormat.Csv;
}
