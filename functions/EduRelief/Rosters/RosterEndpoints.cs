using System.Security.Claims;
using System.Text.Json.Nodes;
using EduRelief.Auth;
using EduRelief.Cycles;
using EduRelief.Eligibility;
using EduRelief.Hosting;
using EduRelief.Rosters.Parsing;
using EduRelief.Workflow;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;

namespace EduRelief.Rosters;

public sealed record UploadAccepted(string ImportId, string CycleId, string Kind, string Sha256, long Size, int Rows, string Format, string Status, string Watch);

public static class RosterEndpoints
{
    private const string XlsxType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
    private const int MaxCellChars = 1000;
    private const int MaxFileNameChars = 255;

    private static readonly HashSet<string> AcceptedTypes = new(StringComparer.OrdinalIgnoreCase)
    {
        "text/csv", XlsxType, "multipart/form-data", "application/vnd.ms-excel", "text/plain", "application/octet-stream",
    };

    public static void MapRosters(this IEndpointRouteBuilder app)
    {
        app.MapPut("/api/cycles/{id}/rosters/{kind}", UploadAsync).RequireAuthorization(Policies.Admin);
    }

    private static async Task<IResult> UploadAsync(
        string id, string kind, HttpRequest http, ClaimsPrincipal user, CycleService cycles, RosterStore store, WorkflowEngine engine, TimeProvider clock, CancellationToken ct)
    {
        if (kind is not (RosterFiles.Students or RosterFiles.Poverty))
        {
            return Problems.NotFound($"Roster '{kind}' (students or poverty)");
        }

        var cycle = await cycles.FindAsync(id, ct);
        if (cycle is null)
        {
            return Problems.NotFound($"Cycle {id}");
        }

        if (!Stages.AcceptingRosters.Contains(cycle.Stage))
        {
            return Problems.Conflict($"Cycle {id} is in stage {cycle.Stage}; rosters can be replaced only until review ends.");
        }

        if (http.ContentLength > RosterStore.MaxFileBytes + (64 * 1024))
        {
            return FileUploads.TooLarge("A roster file", RosterStore.MaxFileBytes);
        }

        var mediaType = MediaTypeHeaderValue.TryParse(http.ContentType, out var parsed) ? parsed.MediaType.Value : null;
        if (mediaType is null || !AcceptedTypes.Contains(mediaType))
        {
            return TypedResults.Problem(title: "Unsupported media type", detail: $"Send the file as text/csv or {XlsxType} (or multipart/form-data with one file).",
                statusCode: StatusCodes.Status415UnsupportedMediaType, extensions: new Dictionary<string, object?> { ["errors"] = new Dictionary<string, string[]> { ["Content-Type"] = [$"'{http.ContentType}' is not accepted"] } });
        }

        if (http.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = RosterStore.MaxFileBytes + (64 * 1024);
        }

        var (body, fileName, fileType) = await FileUploads.OpenAsync(http, parsed!, ct);
        if (body is null)
        {
            return Problems.Invalid("file", "multipart/form-data must carry one file part.");
        }

        await using var spooled = await SpooledFile.CreateAsync(body, RosterStore.MaxFileBytes, ct);
        if (spooled is null)
        {
            return FileUploads.TooLarge("A roster file", RosterStore.MaxFileBytes);
        }

        if (spooled.Size == 0)
        {
            return Problems.Invalid("file", "The file is empty.");
        }

        // Read the whole file once now, so that a bad file is refused with its reason and changes nothing.
        RosterFormat format;
        int rows;
        try
        {
            await using var check = spooled.OpenRead();
            format = await RosterReader.DetectFormatAsync(check, fileType, ct);
            rows = 0;
            var rosterKind = kind == RosterFiles.Students ? RosterKind.Students : RosterKind.Poverty;
            await foreach (var row in RosterReader.ReadAsync(check, format, rosterKind, ct))
            {
                rows++;
                for (var c = 0; c < row.Values.Length; c++)
                {
                    if (row.Values[c].Length > MaxCellChars)
                    {
                        // Usually a quote left open that swallowed the lines after it.
                        var column = RosterSchema.Columns(rosterKind)[c];
                        return Problems.Invalid(new Dictionary<string, string[]> { [$"row:{row.RowNumber}"] = [$"column {column} holds {row.Values[c].Length} characters; a cell may hold at most {MaxCellChars} (is a quote left open?)"] });
                    }
                }
            }
        }
        catch (RosterFileException ex)
        {
            return TypedResults.Problem(title: "The file cannot be imported", detail: ex.Message, statusCode: StatusCodes.Status400BadRequest,
                extensions: new Dictionary<string, object?> { ["errors"] = ex.Errors });
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
            return Problems.Conflict(result.Reason ?? $"Cycle {id} does not accept rosters in stage {result.Instance?.Stage}.");
        }

        var accepted = new UploadAccepted(importId, id, kind, spooled.Sha256, spooled.Size, rows, (string)record["format"]!, "accepted", $"/api/cycles/{id}");
        return TypedResults.Accepted($"/api/cycles/{id}", accepted);
    }
}
