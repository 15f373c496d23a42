using EduRelief.Cycles;
using EduRelief.Rectification;

namespace EduRelief.Children;

/// <summary>
/// The 控辍保学 rectification items a case drives (one per cycle that found the child out of school, for the cycle's
/// rectification figures): when the case closes, each closes with it, accepted with the case's outcome in the item's
/// terms: <c>returned</c> is <c>enrolled</c> at that school (with the class, when the outcome gave one, the aid then owed
/// is paid as 补发 by the caller's <c>afterAccept</c>: the bureau's outcome endpoint passes
/// <see cref="LateEntitlements.AfterAcceptAsync"/>; verification, whose roster-confirmed returns carry no class, cannot
/// depend on it), <c>outside_county</c> is <c>studying_elsewhere</c>, any other outcome <c>exempt</c> with its reason.
/// The last accepted item of a settled cycle lets it close, as an accepted item always does (after what it owes).
/// </summary>
public sealed class DropoutCaseItems(RectificationStore items, CycleSignals signals)
{
    private const int MaxAttempts = 10;

    /// <summary>Closes the open items of a closed case; repeating it changes nothing.</summary>
    public async Task CloseAsync(DropoutCase c, CancellationToken cancellationToken, Func<RectificationItem, Task>? afterAccept = null)
    {
        if (c.IsOpen || c.Outcome is not { } outcome)
        {
            return;
        }

        foreach (var cycleId in c.Cycles)
        {
            await CloseAsync(cycleId, c, outcome, cancellationToken, afterAccept);
        }
    }

    /// <summary>Closes the cycle's item of a closed case (an item opened after its case closed closes at once).</summary>
    public async Task CloseAsync(string cycleId, DropoutCase c, DropoutOutcome outcome, CancellationToken cancellationToken, Func<RectificationItem, Task>? afterAccept = null)
    {
        var note = $"随控辍保学案件结案：{DropoutCaseRules.Label(outcome.Outcome)}（{outcome.Date:yyyy-MM-dd}）" + (outcome.Note is { } n ? $"，{n}" : "");
        var actor = c.ClosedBy ?? DropoutCaseStore.SystemActor;
        for (var attempt = 0; attempt < MaxAttempts; attempt++)
        {
            if (await items.FindByCaseAsync(cycleId, c.Id, cancellationToken) is not { } stored || stored.Item.Status == RectificationStatuses.Accepted)
            {
                return;
            }

            var result = await items.ChangeAsync(stored, actor, s => RectificationLifecycle.CloseWithCase(s, note), i => Apply(i, outcome, c.ClosedAt ?? i.UpdatedAt), cancellationToken);
            if (result.Outcome == ChangeOutcome.Applied)
            {
                if (afterAccept is not null)
                {
                    await afterAccept(result.Item);
                }

                await signals.CloseRequestedAsync(cycleId, $"accepted|{result.Item.Id}", $"rectification item {result.Item.Id} accepted with case {c.Id}", actor, cancellationToken);
                return;
            }
        }
    }

    private static RectificationItem Apply(RectificationItem i, DropoutOutcome outcome, DateTimeOffset at) => outcome.Outcome switch
    {
        DropoutCaseStatuses.Returned => i with
        {
            Outcome = DropoutOutcomes.Enrolled,
            OutcomeSchoolCode = outcome.SchoolCode,
            OutcomeReason = null,
            AcceptedAt = at,
            SubmittedAt = i.SubmittedAt ?? at,
            OutcomeStage = outcome.Stage,
            OutcomeGrade = outcome.Grade,
            OutcomeBoarding = outcome.Boarding,
        },
        DropoutCaseStatuses.OutsideCounty => i with
        {
            Outcome = DropoutOutcomes.StudyingElsewhere, OutcomeSchoolCode = null, OutcomeReason = outcome.SchoolName, AcceptedAt = at, SubmittedAt = i.SubmittedAt ?? at,
        },
        _ => i with
        {
            Outcome = DropoutOutcomes.Exempt,
            OutcomeSchoolCode = null,
            OutcomeReason = DropoutCaseRules.Label(outcome.Outcome) + (outcome.Teacher is { } t ? $"（送教教师 {t}）" : ""),
            AcceptedAt = at,
            SubmittedAt = i.SubmittedAt ?? at,
        },
    };
}
