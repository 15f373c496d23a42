using System.Security.Claims;
using EduRelief.Auth;
using EduRelief.Cycles;
using EduRelief.Hosting;
using EduRelief.Rosters;
using EduRelief.Rosters.Parsing;
using EduRelief.Storage;
using Microsoft.AspNetCore.Http.HttpResults;

namespace EduRelief.Pairing;

/// <summary>A teacher as answers show them: the phone masked.</summary>
public sealed record TeacherView(string Id, string Name, string Phone, bool Active, DateTimeOffset UpdatedAt, string UpdatedBy, DateTimeOffset? DeactivatedAt)
{
    public static TeacherView Of(Teacher t) => new(t.Id, t.Name, Hotline.PhoneNumbers.Mask(t.Phone), t.Active, t.UpdatedAt, t.UpdatedBy, t.DeactivatedAt);
}

/// <summary>The answer to a teachers upload: rows read, and what they did.</summary>
public sealed record TeachersUploaded(int Rows, int Added, int Changed, int Unchanged, string Sha256);

/// <summary>
/// A school's teachers: <c>PUT /api/counties/{code}/schools/{schoolCode}/teachers</c> (CSV or XLSX), <c>GET</c> the same
/// route (paged, phones masked), <c>POST …/teachers/{teacherId}/deactivate</c>. The bureau manages every school's
/// teachers, a school officer their own school's; inspectors read them.
/// </summary>
public static class TeacherEndpoints
{
    public static void MapTeachers(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/counties/{countyCode}/schools/{schoolCode}/teachers");
        group.MapPut("", UploadAsync).RequireAuthorization(PairingAccess.ManagersPolicy);
        group.MapGet("", ListAsync).RequireAuthorization(Policies.Staff);
        group.MapPost("/{teacherId}/deactivate", DeactivateAsync).RequireAuthorization(PairingAccess.ManagersPolicy);
    }

    private static async Task<IResult> UploadAsync(
        string countyCode, string schoolCode, HttpRequest http, ClaimsPrincipal user, CountyCatalog counties, TeacherStore store, TimeProvider clock, ILoggerFactory logs, CancellationToken ct)
    {
        if (PairingAccess.CheckSchool(countyCode, schoolCode, user, counties) is { } refused)
        {
            return refused;
        }

        await using var upload = await FileUploads.SpoolAsync(http, new Text("教师名单文件", "A teachers file"), TeacherStore.MaxFileBytes, ct);
        if (upload.Problem is not null)
        {
            return upload.Problem;
        }

        TeachersFileContent content;
        try
        {
            await using var file = upload.File!.OpenRead();
            var format = await RosterReader.DetectFormatAsync(file, upload.ContentType, ct);
            content = await TeachersFile.ReadAsync(RosterReader.ReadAsync(file, format, RosterKind.Teachers, ct), ct);
        }
        catch (RosterFileException ex)
        {
            return RosterEndpoints.Unreadable(ex);
        }

        if (content.Refused)
        {
            return Problems.Create(StatusCodes.Status400BadRequest, new Text("教师名单中有不合格的行，整个文件未导入。", "The teachers file has rows that cannot be imported; nothing was imported."),
                content.Errors.ToDictionary(), new Text("文件无法导入", "The file cannot be imported"));
        }

        var applied = await store.ApplyAsync(countyCode, schoolCode, content.Lines, user.Actor(), clock.GetUtcNow(), ct);
        logs.CreateLogger(typeof(TeacherEndpoints)).LogInformation(
            "Teachers file {Sha256} for school {SchoolCode}: {Rows} rows, {Added} added, {Changed} changed", upload.File!.Sha256, schoolCode, content.Lines.Count, applied.Added, applied.Changed);
        return TypedResults.Ok(new TeachersUploaded(content.Lines.Count, applied.Added, applied.Changed, applied.Unchanged, upload.File.Sha256));
    }

    private static async Task<Results<Ok<Page<TeacherView>>, ProblemHttpResult>> ListAsync(
        string countyCode, string schoolCode, string? continuationToken, int? pageSize, ClaimsPrincipal user, CountyCatalog counties, TeacherStore store, CancellationToken ct)
    {
        if (PairingAccess.CheckSchool(countyCode, schoolCode, user, counties) is { } refused)
        {
            return refused;
        }

        if (!Paging.TryGetSize(pageSize, out var size, out var problem))
        {
            return problem!;
        }

        var page = await store.ListAsync(countyCode, schoolCode, continuationToken, size, ct);
        return TypedResults.Ok(new Page<TeacherView>([.. page.Items.Select(TeacherView.Of)], page.ContinuationToken));
    }

    private static async Task<Results<Ok<TeacherView>, ProblemHttpResult>> DeactivateAsync(
        string countyCode, string schoolCode, string teacherId, ClaimsPrincipal user, CountyCatalog counties, TeacherStore store, TimeProvider clock, CancellationToken ct)
    {
        if (PairingAccess.CheckSchool(countyCode, schoolCode, user, counties) is { } refused)
        {
            return refused;
        }

        if (await store.GetAsync(countyCode, schoolCode, teacherId, ct) is not { } teacher)
        {
            return Problems.NotFound(new Text($"工号为 {teacherId} 的教师", $"Teacher {teacherId}"));
        }

        return TypedResults.Ok(TeacherView.Of(await store.DeactivateAsync(teacher, user.Actor(), clock.GetUtcNow(), ct)));
    }
}
