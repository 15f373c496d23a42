using System.Text.Json.Nodes;
using EduRelief.Workflow;

namespace EduRelief.Cycles;

/// <summary>
/// What a school officer may see of a cycle before the features add their school's figures: the stage, its dates and
/// the notice period. Kept: the fields the console reads, with the county's figures, people (who uploaded, who
/// decided), files (names, hashes, sizes) and free text (errors, reasons) left out.
/// </summary>
public static class SchoolCycleView
{
    private static readonly string[] VerificationFields = ["status", "runId", "startedAt", "completedAt", "policyVersion", "policyScope"];

    private static readonly string[] NoticeFields = ["publishedAt", "endsAt", "workingDays", "calendarMissing", "takenDownAt"];

    public static Cycle Of(Cycle cycle, string schoolCode) => cycle with
    {
        DeadLetters = [],
        Rosters = Rosters(cycle.Rosters),
        Verification = Verification(cycle.Verification, schoolCode),
        Notice = Notice(cycle.Notice),
        Hotline = null,
        Rectification = null,
        Disbursement = cycle.Disbursement is JsonObject d ? Pick(d, "cutAt") : null,
    };

    /// <summary>Which rosters are in and when: not their files, sizes, rows or uploaders.</summary>
    private static JsonObject? Rosters(JsonNode? rosters)
    {
        if (rosters is not JsonObject all)
        {
            return null;
        }

        var view = new JsonObject();
        foreach (var (kind, upload) in all)
        {
            view[kind] = upload is JsonObject u ? Pick(u, "uploadedAt") : null;
        }

        return view;
    }

    /// <summary>The run's status and dates, and the school among the schools it found; the counts are the school's own (Eligibility).</summary>
    private static JsonObject? Verification(JsonNode? verification, string schoolCode)
    {
        if (verification is not JsonObject v)
        {
            return null;
        }

        var view = Pick(v, VerificationFields);
        if (v["schools"] is JsonArray schools)
        {
            view["schools"] = new JsonArray([.. schools.Where(s => s?.GetValueKind() == System.Text.Json.JsonValueKind.String && (string?)s == schoolCode).Select(s => s!.DeepClone())]);
        }

        return view;
    }

    /// <summary>The notice period; its documents only as done or not (Notices adds the school's own), objections from Hotline.</summary>
    private static JsonObject? Notice(JsonNode? notice)
    {
        if (notice is not JsonObject n)
        {
            return null;
        }

        var view = Pick(n, NoticeFields);
        if (n["documents"] is JsonObject documents)
        {
            view["documents"] = Pick(documents, "completedAt");
        }

        return view;
    }

    private static JsonObject Pick(JsonObject source, params string[] fields)
    {
        var view = new JsonObject();
        foreach (var field in fields)
        {
            if (source.TryGetPropertyValue(field, out var value))
            {
                view[field] = value?.DeepClone();
            }
        }

        return view;
    }

    /// <summary>
    /// A history entry as an officer sees it: when the cycle moved from which stage to which, by what event; not who
    /// did it nor the reason given (reasons of review decisions name students). Entries within a stage are left out.
    /// </summary>
    public static bool Shows(HistoryEntry entry) => entry.From != entry.To;
}
