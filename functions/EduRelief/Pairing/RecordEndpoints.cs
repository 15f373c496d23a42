using System.Globalization;
using System.Security.Claims;
using EduRelief.Auth;
using EduRelief.Children;
using EduRelief.Cycles;
using EduRelief.Exports;
using EduRelief.Hosting;
using EduRelief.Rectification;
using EduRelief.Rosters;
using EduRelief.Storage;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace EduRelief.Pairing;

/// <summary>The body of <c>POST …/pairings/records</c>.</summary>
public sealed record RecordRequest(string? ChildId, string? Kind, string? Date, string? Notes, string? Corrects = null, string? PhotoSha256 = null, string? TeacherId = null)
{
    public const int MaxNotes = 1000;
}

/// <summary>A record as answers show it; <see cref="CorrectedBy"/> names the later record that corrects it, if any.</summary>
public sealed record RecordView(
    string Id, string ChildId, string Kind, string KindLabel, DateOnly Date, string? Notes, string TeacherId, string TeacherName, string RecordedBy, DateTimeOffset RecordedAt,
    string? Corrects, string? CorrectedBy, RecordPhoto? Photo)
{
    public static RecordView Of(PairingRecord r, string? correctedBy, IReadOnlyDictionary<string, Teacher> teachers) => new(
        r.Id, ChildIds.ApiId(r.ChildKey), r.Kind, RecordKinds.Label(r.Kind), r.Date, r.Notes, r.TeacherId, teachers.GetValueOrDefault(r.TeacherId)?.Name ?? "",
        r.RecordedBy, r.RecordedAt, r.Corrects, correctedBy, r.Photo);
}

/// <summary>The answer to a photo upload: what a record names it by.</summary>
public sealed record PhotoUploaded(string Sha256, string ContentType, long Size);

/// <summary>
/// 家访 and 帮扶 records: <c>POST /api/cycles/{id}/pairings/records</c> by the child's paired teacher, the school's
/// officer or the bureau (notes with ID numbers and phone numbers masked on write; append-only, a correction is a new
/// record naming the one it corrects), <c>GET …/records?childId=</c>, photos as evidence
/// (<c>POST …/pairings/photos</c>, checked by their first bytes like rectification evidence, and
/// <c>GET …/records/{recordId}/photo?childId=</c>).
/// </summary>
public static class RecordEndpoints
{
    public const long MaxPhotoBytes = 10L * 1024 * 1024;

    private static readonly IReadOnlySet<string> PhotoTypes = new HashSet<string> { EvidenceFormats.Jpeg, EvidenceFormats.Png, EvidenceFormats.Webp, EvidenceFormats.Gif };

    public static void MapRecords(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/cycles/{id}/pairings");
        group.MapPost("/records", AddAsync).RequireAuthorization(PairingAccess.RecordersPolicy);
        group.MapGet("/records", ListAsync).RequireAuthorization(PairingAccess.ReadersPolicy);
        group.MapPost("/photos", UploadPhotoAsync).RequireAuthorization(PairingAccess.RecordersPolicy);
        group.MapGet("/records/{recordId}/photo", PhotoAsync).WithNoStore().RequireAuthorization(PairingAccess.ReadersPolicy);
    }

    private static async Task<Results<Created<RecordView>, ProblemHttpResult>> AddAsync(
        string id, HttpRequest http, ClaimsPrincipal user, PairingChildren access, RecordStore records, TeacherStore teachers, TimeProvider clock, IOptions<JsonOptions> json, CancellationToken ct)
    {
        var (body, bodyProblem) = await JsonBody.ReadAsync<RecordRequest>(http, json.Value.SerializerOptions);
        if (bodyProblem is not null)
        {
            return bodyProblem;
        }

        var (child, problem) = await access.ForChildAsync(id, body!.ChildId, user, ct);
        if (problem is not null)
        {
            return problem;
        }

        var now = clock.GetUtcNow();
        var today = ChinaTime.DateOf(now);
        var approved = ChinaTime.DateOf(PairingRoster.Approval(child!.Cycle)!.Value);
        var end = PairingStandard.SemesterEnd(child.Semester);
        var errors = new Dictionary<string, Text[]>();
        if (body.Kind is null || !RecordKinds.All.Contains(body.Kind))
        {
            errors["kind"] = [new Text($"kind 为以下之一：{string.Join(", ", RecordKinds.All)}。", $"kind is one of {string.Join(", ", RecordKinds.All)}.")];
        }

        if (!DateOnly.TryParseExact(body.Date, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date) || date < approved || date > today || date > end)
        {
            errors["date"] = [new Text($"date 为名单审核通过之日（{approved:yyyy-MM-dd}）至今天、且不晚于学期末（{end:yyyy-MM-dd}）的日期，格式 YYYY-MM-DD。",
                $"date is a day from the list's approval ({approved:yyyy-MM-dd}) to today, no later than the semester's end ({end:yyyy-MM-dd}), as YYYY-MM-DD.")];
        }

        var notes = string.IsNullOrWhiteSpace(body.Notes) ? null : SensitiveText.Mask(body.Notes.Trim());
        if (notes is { Length: > RecordRequest.MaxNotes })
        {
            errors["notes"] = [new Text($"notes 最多 {RecordRequest.MaxNotes} 个字符。", $"notes is at most {RecordRequest.MaxNotes} characters.")];
        }

        var own = PairingAccess.OwnTeacher(user);
        var teacherId = own ?? (body.TeacherId is { } named ? TeacherIds.Normalize(named) : child.Pairing.TeacherIds is [var first, ..] ? first : null);
        if (teacherId is null || !child.Pairing.TeacherIds.Contains(teacherId))
        {
            errors["teacherId"] = [new Text("teacherId 须为与该学生结对的教师。", "teacherId is a teacher paired with this child.")];
        }

        var existing = await records.ChildAsync(child.Cycle.Id, child.Key, ct);
        if (body.Corrects is { } corrects && !existing.Any(r => r.Id == corrects))
        {
            errors["corrects"] = [new Text("corrects 须为该学生本周期的一条记录的 id。", "corrects is the id of a record of this child in this cycle.")];
        }

        RecordPhoto? photo = null;
        if (body.PhotoSha256 is { } sha && (photo = await records.FindPhotoAsync(child.Cycle.Id, sha, ct)) is null)
        {
            errors["photoSha256"] = [new Text("photoSha256 须为本周期已上传照片的 SHA-256。", "photoSha256 is the SHA-256 of a photo uploaded to this cycle.")];
        }

        if (errors.Count > 0)
        {
            return Problems.Invalid(errors);
        }

        var record = new PairingRecord(RecordStore.NewId(now), child.Cycle.Id, child.Key, child.Pairing.SchoolCode, body.Kind!, date, notes, teacherId!, user.Actor(), now, body.Corrects, photo);
        await records.AddAsync(record, ct);
        var staff = (await teachers.AllAsync(child.Cycle.CountyCode, child.Pairing.SchoolCode, ct)).ToDictionary(t => t.Id, StringComparer.Ordinal);
        return TypedResults.Created($"/api/cycles/{id}/pairings/records?childId={ChildIds.ApiId(child.Key)}", RecordView.Of(record, null, staff));
    }

    private static async Task<Results<Ok<Page<RecordView>>, ProblemHttpResult>> ListAsync(
        string id, string? childId, ClaimsPrincipal user, PairingChildren access, RecordStore records, TeacherStore teachers, CancellationToken ct)
    {
        var (child, problem) = await access.ForChildAsync(id, childId, user, ct);
        if (problem is not null)
        {
            return problem;
        }

        var all = await records.ChildAsync(child!.Cycle.Id, child.Key, ct);
        var correctedBy = all.Where(r => r.Corrects is not null).GroupBy(r => r.Corrects!).ToDictionary(g => g.Key, g => g.Last().Id, StringComparer.Ordinal);
        var staff = (await teachers.AllAsync(child.Cycle.CountyCode, child.Pairing.SchoolCode, ct)).ToDictionary(t => t.Id, StringComparer.Ordinal);
        return TypedResults.Ok(new Page<RecordView>([.. all.Select(r => RecordView.Of(r, correctedBy.GetValueOrDefault(r.Id), staff))], null));
    }

    private static async Task<Results<Created<PhotoUploaded>, ProblemHttpResult>> UploadPhotoAsync(
        string id, HttpRequest http, ClaimsPrincipal user, PairingRoster roster, RecordStore records, RectificationStore evidence, TimeProvider clock, CancellationToken ct)
    {
        var (cycle, problem) = await roster.ApprovedAsync(id, ct);
        if (problem is not null)
        {
            return problem;
        }

        var photoText = new Text("照片", "A photo");
        var sendAs = new Text("请以请求体及其 Content-Type（image/jpeg、image/png、image/webp、image/gif）或以 multipart/form-data 发送照片。", "Send the photo as the body with its Content-Type (image/jpeg, image/png, image/webp, image/gif) or as multipart/form-data.");
        var (spooledFile, _, declared, refused) = await EvidenceUploads.SpoolAsync(http, MaxPhotoBytes, photoText, sendAs, ct);
        if (refused is not null)
        {
            return refused;
        }

        await using var spooled = spooledFile!;
        string? detected;
        await using (var check = spooled.OpenRead())
        {
            detected = spooled.Size == 0 ? null : EvidenceFormats.Detect(check);
        }

        if (detected is null || !PhotoTypes.Contains(detected))
        {
            return Problems.Invalid("file", new Text("文件不是 JPEG、PNG、WEBP 或 GIF 图片。", "The file is not a JPEG, PNG, WEBP or GIF image."));
        }

        if (EvidenceFormats.Normalize(declared) is { } declaredType && declaredType != detected && declaredType != "application/octet-stream")
        {
            return Problems.Invalid("file", new Text($"文件声明为 {declaredType}，但内容是 {detected}。", $"The file was declared as {declaredType} but its content is {detected}."));
        }

        await evidence.SaveEvidenceBlobAsync(spooled.Path, spooled.Sha256, detected, ct);
        var photo = new RecordPhoto(spooled.Sha256, detected, spooled.Size);
        await records.AddPhotoAsync(cycle!.Id, photo, user.Actor(), clock.GetUtcNow(), ct);
        return TypedResults.Created($"/api/cycles/{id}/pairings/photos/{photo.Sha256}", new PhotoUploaded(photo.Sha256, photo.ContentType, photo.Size));
    }

    private static async Task<IResult> PhotoAsync(
        string id, string recordId, string? childId, ClaimsPrincipal user, PairingChildren access, RecordStore records, RectificationStore evidence, CancellationToken ct)
    {
        var (child, problem) = await access.ForChildAsync(id, childId, user, ct);
        if (problem is not null)
        {
            return problem;
        }

        var record = (await records.ChildAsync(child!.Cycle.Id, child.Key, ct)).FirstOrDefault(r => r.Id == recordId);
        if (record?.Photo is not { } photo)
        {
            return Problems.NotFound(new Text("该记录的照片", "This record's photo"));
        }

        return TypedResults.Stream(await evidence.OpenEvidenceAsync(photo.Sha256, ct), photo.ContentType);
    }
}

/// <summary>A paired child of an approved cycle, as one request may reach them.</summary>
public sealed record ReachedChild(Cycle Cycle, Semester Semester, string Key, PairingRow Pairing, SchoolChild Child);

/// <summary>
/// Who may reach a child's records: the bureau and inspectors any paired child of the cycle; a school officer the
/// children of their school; a teacher only a child paired with them. 404 for an id that is no paired child of the
/// cycle (whoever asks), 403 for a child the caller may not reach.
/// </summary>
public sealed class PairingChildren(PairingRoster roster, PairingStore pairings)
{
    private static readonly Text NoSuchChild = new("本周期中与教师结对的该学生", "This paired child of the cycle");

    public async Task<(ReachedChild? Child, ProblemHttpResult? Problem)> ForChildAsync(string cycleId, string? childId, ClaimsPrincipal user, CancellationToken ct)
    {
        var (cycle, problem) = await roster.ApprovedAsync(cycleId, ct);
        if (problem is not null)
        {
            return (null, problem);
        }

        if (ChildIds.RowKeyOf(childId) is not { } key)
        {
            return (null, Problems.Invalid("childId", new Text("childId 不是学生档案给出的学生 id。", "childId is not a child id the registry gave out.")));
        }

        // A child who moved keeps the old school's pairing row; the pairing that counts is the one at the school the
        // cycle has them at.
        if (!Semester.TryParse(cycle!.Semester, out var semester))
        {
            return (null, Problems.NotFound(NoSuchChild));
        }

        foreach (var pairing in await pairings.FindChildAsync(cycle.CountyCode, key, ct))
        {
            if (pairing.TeacherIds.Count == 0
                || (await roster.ChildrenAsync(cycle, pairing.SchoolCode, ct)).FirstOrDefault(c => c.ChildKey == key) is not { } child)
            {
                continue;
            }

            var own = PairingAccess.OwnTeacher(user);
            return !PairingAccess.CanSeeSchool(user, pairing.SchoolCode) || (own is not null && !pairing.TeacherIds.Contains(own))
                ? (null, Problems.Forbidden(new Text("您只能查看或记录与您结对的学生（学校经办人：本校学生）。", "You reach only the children paired with you (a school officer: their school's).")))
                : (new ReachedChild(cycle, semester, key, pairing, child), null);
        }

        return (null, Problems.NotFound(NoSuchChild));
    }
}
