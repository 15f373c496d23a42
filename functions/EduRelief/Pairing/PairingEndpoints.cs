using System.Globalization;
using System.Security.Claims;
using EduRelief.Auth;
using EduRelief.Children;
using EduRelief.Cycles;
using EduRelief.Hosting;
using EduRelief.Storage;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;

namespace EduRelief.Pairing;

/// <summary>A teacher a child is paired with.</summary>
public sealed record PairedTeacher(string Id, string Name, bool Active);

/// <summary>A child of the school and their pairing, as lists show them (the ID number masked).</summary>
public sealed record PairingView(
    string ChildId, string Name, string IdNumber, string SchoolCode, string SchoolName, string? Stage, int? Grade, string? Village,
    bool Eligible, IReadOnlyList<string> Groups, IReadOnlyList<PairedTeacher> Teachers, IReadOnlyList<ChildAid> Aid)
{
    public static PairingView Of(SchoolChild c, IReadOnlyDictionary<string, Teacher> teachers) => new(
        ChildIds.ApiId(c.ChildKey), c.Name, c.MaskedId, c.SchoolCode, c.SchoolName, c.Stage, c.Grade, c.Village, c.Eligible, c.Groups,
        [.. c.TeacherIds.Select(t => teachers.TryGetValue(t, out var teacher) ? new PairedTeacher(t, teacher.Name, teacher.Active) : new PairedTeacher(t, "", false))],
        c.Aid);
}

/// <summary>The answer to a proposal: how many children it paired now, and the school's pairings after it.</summary>
public sealed record ProposalView(int Proposed, int Unpaired, IReadOnlyList<PairingView> Items);

/// <summary>One child's pairing as an edit sets it: the teachers (none to unpair) and the special groups.</summary>
public sealed record PairingEdit(string? ChildId, string[]? TeacherIds, string[]? Groups);

/// <summary>The body of <c>PUT …/pairings</c>: each named child's pairing replaced; the others unchanged.</summary>
public sealed record PairingEdits(PairingEdit[]? Items);

/// <summary>
/// Pairings of a school in a cycle: <c>POST …/pairings/propose</c> (each eligible or flagged child without an active
/// teacher to the active teacher with fewest children; idempotent), <c>GET …/pairings</c>, <c>PUT …/pairings</c>
/// (1:1, 1:n, n:1, and the special-group flags). The bureau and the school's officer propose and edit; inspectors read;
/// a teacher reads only the children paired with them.
/// </summary>
public static class PairingEndpoints
{
    public const int MaxEdits = 500;

    public static void MapPairings(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/cycles/{id}/schools/{schoolCode}/pairings");
        group.MapPost("/propose", ProposeAsync).RequireAuthorization(PairingAccess.ManagersPolicy);
        group.MapGet("", ListAsync).RequireAuthorization(PairingAccess.ReadersPolicy);
        group.MapPut("", EditAsync).RequireAuthorization(PairingAccess.ManagersPolicy);
    }

    private static async Task<Results<Ok<ProposalView>, ProblemHttpResult>> ProposeAsync(
        string id, string schoolCode, ClaimsPrincipal user, CountyCatalog counties, PairingRoster roster, TeacherStore teachers, PairingStore pairings, TimeProvider clock, CancellationToken ct)
    {
        var (cycle, problem) = await LoadAsync(id, schoolCode, user, counties, roster, ct);
        if (problem is not null)
        {
            return problem;
        }

        var children = await roster.ChildrenAsync(cycle!, schoolCode, ct);
        var staff = (await teachers.AllAsync(cycle!.CountyCode, schoolCode, ct)).ToDictionary(t => t.Id, StringComparer.Ordinal);
        var active = staff.Values.Where(t => t.Active).Select(t => t.Id).ToList();
        var proposal = PairingProposal.Propose(children.ToDictionary(c => c.ChildKey, c => c.TeacherIds, StringComparer.Ordinal), active);
        var now = clock.GetUtcNow();
        var rows = children.Where(c => proposal.ContainsKey(c.ChildKey))
            .Select(c => Row(cycle, c, [.. c.TeacherIds.Where(active.Contains), proposal[c.ChildKey]], c.Groups, now, user.Actor()))
            .ToList();
        await pairings.SaveAsync(rows, ct);
        var after = await roster.ChildrenAsync(cycle, schoolCode, ct);
        return TypedResults.Ok(new ProposalView(rows.Count, after.Count(c => !c.TeacherIds.Any(active.Contains)), [.. after.Select(c => PairingView.Of(c, staff))]));
    }

    private static async Task<Results<Ok<Page<PairingView>>, ProblemHttpResult>> ListAsync(
        string id, string schoolCode, string? continuationToken, int? pageSize, ClaimsPrincipal user, CountyCatalog counties, PairingRoster roster, TeacherStore teachers, CancellationToken ct)
    {
        var (cycle, problem) = await LoadAsync(id, schoolCode, user, counties, roster, ct);
        if (problem is not null)
        {
            return problem;
        }

        if (!Paging.TryGetSize(pageSize, out var size, out var pageProblem))
        {
            return pageProblem!;
        }

        if (!OffsetToken.TryRead(continuationToken, out var offset))
        {
            return Problems.Invalid("continuationToken", Messages.NotOurToken);
        }

        var own = PairingAccess.OwnTeacher(user);
        var children = (await roster.ChildrenAsync(cycle!, schoolCode, ct)).Where(c => own is null || c.TeacherIds.Contains(own)).ToList();
        var staff = (await teachers.AllAsync(cycle!.CountyCode, schoolCode, ct)).ToDictionary(t => t.Id, StringComparer.Ordinal);
        var page = children.Skip(offset).Take(size).Select(c => PairingView.Of(c, staff)).ToList();
        return TypedResults.Ok(new Page<PairingView>(page, offset + size < children.Count ? OffsetToken.Write(offset + size) : null));
    }

    private static async Task<Results<Ok<Page<PairingView>>, ProblemHttpResult>> EditAsync(
        string id, string schoolCode, HttpRequest http, ClaimsPrincipal user, CountyCatalog counties, PairingRoster roster, TeacherStore teachers, PairingStore pairings,
        TimeProvider clock, IOptions<JsonOptions> json, CancellationToken ct)
    {
        var (body, bodyProblem) = await JsonBody.ReadAsync<PairingEdits>(http, json.Value.SerializerOptions);
        if (bodyProblem is not null)
        {
            return bodyProblem;
        }

        var (cycle, problem) = await LoadAsync(id, schoolCode, user, counties, roster, ct);
        if (problem is not null)
        {
            return problem;
        }

        var children = (await roster.ChildrenAsync(cycle!, schoolCode, ct)).ToDictionary(c => c.ChildKey, StringComparer.Ordinal);
        var staff = (await teachers.AllAsync(cycle!.CountyCode, schoolCode, ct)).ToDictionary(t => t.Id, StringComparer.Ordinal);
        var errors = new Dictionary<string, Text[]>();
        var rows = new List<PairingRow>();
        var items = body!.Items ?? [];
        if (items.Length is 0 or > MaxEdits)
        {
            errors["items"] = [new Text($"items 为 1 至 {MaxEdits} 个学生的结对。", $"items holds 1 to {MaxEdits} children's pairings.")];
        }

        var now = clock.GetUtcNow();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < items.Length && items.Length <= MaxEdits; i++)
        {
            var edit = items[i];
            var field = $"items[{i}]";
            var key = ChildIds.RowKeyOf(edit.ChildId);
            if (key is null || !seen.Add(key))
            {
                errors[$"{field}.childId"] = [key is null ? new Text("childId 不是学生档案给出的学生 id。", "childId is not a child id the registry gave out.") : new Text("同一学生出现了两次。", "The same child appears twice.")];
                continue;
            }

            var groups = (edit.Groups ?? []).Select(g => g.Trim()).Distinct(StringComparer.Ordinal).ToList();
            if (groups.FirstOrDefault(g => !SpecialGroups.All.Contains(g)) is { } badGroup)
            {
                errors[$"{field}.groups"] = [new Text($"“{badGroup}”不是特殊群体：{string.Join("、", SpecialGroups.All)}。", $"{badGroup} is not a special group: {string.Join(", ", SpecialGroups.All)}.")];
            }

            var teacherIds = (edit.TeacherIds ?? []).Select(TeacherIds.Normalize).Distinct(StringComparer.Ordinal).ToList();
            if (teacherIds.FirstOrDefault(t => !staff.TryGetValue(t, out var teacher) || !teacher.Active) is { } badTeacher)
            {
                errors[$"{field}.teacherIds"] = [new Text($"工号 {badTeacher} 不是本校在职（未停用）的教师。", $"{badTeacher} is not an active teacher of the school.")];
            }

            SchoolChild? child = children.GetValueOrDefault(key);
            if (child is null && await roster.RegisteredInCycleAsync(cycle, schoolCode, key, ct) is { } registered)
            {
                var entry = registered.Entry;
                child = new SchoolChild(key, entry.Name, registered.Child.IdNumber.Masked, schoolCode, entry.SchoolName ?? "", entry.Stage is { } s ? Eligibility.SchoolStages.Chinese(s) : null,
                    entry.Grade, registered.Child.Village, false, [], null);
            }

            if (child is null)
            {
                errors[$"{field}.childId"] = [new Text("该学生不在本周期本校的学生中。", "This child is not among the school's children of this cycle.")];
            }
            else if (!child.Eligible && groups.Count == 0 && teacherIds.Count > 0)
            {
                errors[$"{field}.groups"] = [new Text("不在资助名单上的学生，须标记特殊群体后才能结对。", "A child not on the approved list is paired only once flagged in a special group.")];
            }
            else if (!errors.Keys.Any(k => k.StartsWith(field + ".", StringComparison.Ordinal)))
            {
                rows.Add(Row(cycle, child, teacherIds, groups, now, user.Actor()));
            }
        }

        if (errors.Count > 0)
        {
            return Problems.Invalid(errors);
        }

        await pairings.SaveAsync(rows, ct);
        var after = await roster.ChildrenAsync(cycle, schoolCode, ct);
        return TypedResults.Ok(new Page<PairingView>([.. after.Select(c => PairingView.Of(c, staff))], null));
    }

    private static PairingRow Row(Cycle cycle, SchoolChild c, IReadOnlyList<string> teacherIds, IReadOnlyList<string> groups, DateTimeOffset now, string actor) =>
        new(cycle.CountyCode, c.SchoolCode, c.ChildKey, teacherIds, groups, c.Name, c.Stage, c.Grade, c.Village, now, actor);

    private static async Task<(Cycle? Cycle, ProblemHttpResult? Problem)> LoadAsync(string id, string schoolCode, ClaimsPrincipal user, CountyCatalog counties, PairingRoster roster, CancellationToken ct)
    {
        if (CycleIds.CountyOf(id) is not { } county)
        {
            return (null, Problems.NotFound(Messages.Cycle(id)));
        }

        if (PairingAccess.CheckSchool(county, schoolCode, user, counties) is { } refused)
        {
            return (null, refused);
        }

        return await roster.ApprovedAsync(id, ct);
    }
}

/// <summary>A continuation token for a list computed whole: the offset of the next page.</summary>
internal static class OffsetToken
{
    public static string Write(int offset) => "o" + offset.ToString(CultureInfo.InvariantCulture);

    public static bool TryRead(string? token, out int offset)
    {
        offset = 0;
        return token is null || (token.StartsWith('o') && int.TryParse(token.AsSpan(1), NumberStyles.None, CultureInfo.InvariantCulture, out offset));
    }
}
