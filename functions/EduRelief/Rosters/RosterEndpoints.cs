using System.Security.Claims;
using System.Text.Json.Nodes;
using EduRelief.Auth;
using EduRelief.Children;
using EduRelief.Cycles;
using EduRelief.Eligibility;
using EduRelief.Hosting;
using EduRelief.Rosters.Parsing;
using EduRelief.Workflow;

namespace EduRelief.Rosters;

public sealed record UploadAccepted(string ImportId, string CycleId, string Kind, string Sha256, long Size, int Rows, string Format, string Status, string Watch);

public static class RosterEndpoints
{
    private const string XlsxType = FileUploads.XlsxType;
    private const int MaxFileNameChars = 255;

    public static IServiceCollection AddRosters(this IServiceCollection services) => services.AddSingleton<RosterStore>();

    public static void MapRosters(this IEndpointRouteBuilder app)
    {
        app.MapCycleGroup().MapPut("/rosters/{kind}", UploadAsync).RequireAuthorization(Policies.Admin);
    }

    private static async Task<IResult> UploadAsync(
        string id, string kind, HttpRequest http, ClaimsPrincipal user, RosterStore store, WorkflowEngine engine, TimeProvider clock, CancellationToken ct)
    {
        if (kind is not (RosterFiles.Students or RosterFiles.Poverty or RosterFiles.Outside))
        {
            return Problems.NotFound(new Text($"名册“{kind}”（应为 students、poverty 或 outside）", $"Roster '{kind}' (students, poverty or outside)"));
        }

        var cycle = http.HttpContext.Cycle();
        if (!Stages.AcceptingRosters.Contains(cycle.Stage))
        {
            return CycleGate.StageProblem(id, cycle.Stage, new Text("名册只能在审核结束前替换", "rosters can be replaced only until review ends"));
        }

        await using var upload = await FileUploads.SpoolAsync(http, new Text("名册文件", "A roster file"), RosterStore.MaxFileBytes, ct);
        if (upload.Problem is not null)
        {
            return upload.Problem;
        }

        var (spooled, fileName, fileType) = (upload.File!, upload.FileName, upload.ContentType);

        // Read the whole file once now, so that a bad file is refused with its reason and changes nothing.
        RosterFormat format;
        int rows;
        try
        {
            await using var check = spooled.OpenRead();
            format = await RosterReader.DetectFormatAsync(check, fileType, ct);
            var (counted, problem) = kind == RosterFiles.Outside
                ? await CheckOutsideAsync(RosterReader.ReadAsync(check, format, RosterKind.Outside, ct), cycle, ct)
                : await CheckRosterAsync(check, format, kind == RosterFiles.Students ? RosterKind.Students : RosterKind.Poverty, ct);
            if (problem is not null)
            {
                return problem;
            }

            rows = counted;
            if (rows == 0)
            {
                throw RosterFileException.File(RosterErrors.NoRows, "文件只有表头，没有数据行：没有导入，当前名册保持不变。");
            }
        }
        catch (RosterFileException ex)
        {
            return Unreadable(ex);
        }

        var contentType = format == RosterFormat.Xlsx ? XlsxType : "text/csv";
        await store.SaveAsync(spooled.Path, spooled.Sha256, contentType, ct);
        var importId = Guid.NewGuid().ToString("N");
        var record = new JsonObject
        {
            ["kind"] = kind,
            ["importId"] = importId,
            ["sha256"] = spooled.Sha256,
            ["size"] = spooled.Size,
            ["rows"] = rows,
            ["format"] = format == RosterFormat.Xlsx ? "xlsx" : "csv",
            ["fileName"] = fileName is { Length: > MaxFileNameChars } ? fileName[..MaxFileNameChars] : fileName,
            ["uploadedBy"] = user.Actor(),
            ["uploadedAt"] = ChinaTime.Format(clock.GetUtcNow()),
        };
        var result = await engine.RaiseAsync(id, new WorkflowEvent("upload|" + importId, CycleEvents.RosterUploaded, record, user.Actor()), ct);
        if (result.Outcome is not (EventOutcome.Applied or EventOutcome.Duplicate))
        {
            return CycleGate.StageProblem(id, result.Instance?.Stage ?? cycle.Stage, result.Reason ?? new Text("名册只能在审核结束前替换", "rosters can be replaced only until review ends"));
        }

        var accepted = new UploadAccepted(importId, id, kind, spooled.Sha256, spooled.Size, rows, (string)record["format"]!, "accepted", $"/api/cycles/{id}");
        return TypedResults.Accepted($"/api/cycles/{id}", accepted);
    }

    /// <summary>Counts a registry export's rows; a cell far too long refuses it (its other bad rows become discrepancies).</summary>
    private static async Task<(int Rows, IResult? Problem)> CheckRosterAsync(Stream file, RosterFormat format, RosterKind kind, CancellationToken ct)
    {
        var rows = 0;
        await foreach (var row in RosterReader.ReadAsync(file, format, kind, ct))
        {
            rows++;
            if (LongCell(row, kind) is { } tooLong)
            {
                return (rows, tooLong);
            }
        }

        return (rows, null);
    }

    /// <summary>Reads a 外地就学 list as verification will; any row it cannot use refuses the file, named (<see cref="OutsideList"/>).</summary>
    private static async Task<(int Rows, IResult? Problem)> CheckOutsideAsync(IAsyncEnumerable<RosterRow> rows, Cycle cycle, CancellationToken ct)
    {
        var content = await OutsideList.ReadAsync(rows, ChinaTime.DateOf(cycle.CreatedAt), ct);
        return (content.Rows, content.Refused ? Problems.Invalid(content.Errors.ToDictionary()) : null);
    }

    /// <summary>400 naming the row of a cell longer than a cell may be (<see cref="RosterSchema.LongCell"/>).</summary>
    internal static IResult? LongCell(RosterRow row, RosterKind kind) =>
        RosterSchema.LongCell(row, kind) is { } message ? Problems.Invalid($"row:{row.RowNumber}", message) : null;

    /// <summary>400 for a file that cannot be read at all, with the reader's errors (file, column or row).</summary>
    internal static IResult Unreadable(RosterFileException ex) =>
        Problems.Create(StatusCodes.Status400BadRequest, ex.Title,
            ex.Errors.ToDictionary(e => e.Key, e => e.Value),
            new Text("文件无法导入", "The file cannot be imported"));
}
