using EduRelief.Rosters;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;

namespace EduRelief.Hosting;

/// <summary>Uploaded files: the raw body, or the first file part of a multipart form, streamed rather than buffered.</summary>
public static class FileUploads
{
    public const string XlsxType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

    private static readonly HashSet<string> AcceptedTypes = new(StringComparer.OrdinalIgnoreCase)
    {
        "text/csv", XlsxType, "multipart/form-data", "application/vnd.ms-excel", "text/plain", "application/octet-stream",
    };

    /// <summary>
    /// A CSV or XLSX upload (raw body or one multipart file part) spooled to a temporary file with its SHA-256, or the
    /// problem that refuses it: larger than <paramref name="maxBytes"/> (413), a media type that is not a table (415),
    /// no file part or an empty file (400). <paramref name="what"/> names the file in the answer, e.g. "A roster file".
    /// </summary>
    public static async Task<SpooledUpload> SpoolAsync(HttpRequest http, Text what, long maxBytes, CancellationToken ct)
    {
        if (http.ContentLength > maxBytes + (64 * 1024))
        {
            return SpooledUpload.Refused(TooLarge(what, maxBytes));
        }

        var mediaType = MediaTypeHeaderValue.TryParse(http.ContentType, out var parsed) ? parsed.MediaType.Value : null;
        if (mediaType is null || !AcceptedTypes.Contains(mediaType))
        {
            return SpooledUpload.Refused(Problems.Create(StatusCodes.Status415UnsupportedMediaType,
                new Text($"请以 text/csv 或 {XlsxType} 发送文件（或以 multipart/form-data 携带一个文件）。", $"Send the file as text/csv or {XlsxType} (or multipart/form-data with one file)."),
                new Dictionary<string, Text[]> { ["Content-Type"] = [new Text($"不接受“{http.ContentType}”", $"'{http.ContentType}' is not accepted")] }));
        }

        if (http.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = maxBytes + (64 * 1024);
        }

        var (body, fileName, fileType) = await OpenAsync(http, parsed!, ct);
        if (body is null)
        {
            return SpooledUpload.Refused(Problems.Invalid("file", new Text("multipart/form-data 必须且只能携带一个文件。", "multipart/form-data must carry one file part.")));
        }

        var spooled = await SpooledFile.CreateAsync(body, maxBytes, ct);
        if (spooled is null)
        {
            return SpooledUpload.Refused(TooLarge(what, maxBytes));
        }

        if (spooled.Size == 0)
        {
            await spooled.DisposeAsync();
            return SpooledUpload.Refused(Problems.Invalid("file", new Text("文件为空。", "The file is empty.")));
        }

        return new SpooledUpload(spooled, fileName, fileType, null);
    }

    /// <summary>The file's bytes, its name (multipart only) and declared type; all null when a multipart body has no file part.</summary>
    public static async Task<(Stream? Body, string? FileName, string? ContentType)> OpenAsync(HttpRequest http, MediaTypeHeaderValue type, CancellationToken ct)
    {
        if (!type.MediaType.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase))
        {
            return (http.Body, null, type.MediaType.Value);
        }

        var boundary = HeaderUtilities.RemoveQuotes(type.Boundary).Value;
        if (string.IsNullOrEmpty(boundary))
        {
            return (null, null, null);
        }

        var reader = new MultipartReader(boundary, http.Body) { BodyLengthLimit = null };
        while (await reader.ReadNextSectionAsync(ct) is { } section)
        {
            if (ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var disposition) && disposition.IsFileDisposition())
            {
                var name = disposition.FileNameStar.HasValue ? disposition.FileNameStar.Value : HeaderUtilities.RemoveQuotes(disposition.FileName).Value;
                return (section.Body, name, section.ContentType);
            }
        }

        return (null, null, null);
    }

    /// <summary>413, naming the file: <paramref name="what"/> may be at most <paramref name="maxBytes"/>.</summary>
    public static Microsoft.AspNetCore.Http.HttpResults.ProblemHttpResult TooLarge(Text what, long maxBytes)
    {
        var limit = $"{maxBytes / (1024 * 1024)} MiB";
        return Problems.Create(StatusCodes.Status413PayloadTooLarge, new Text($"{what.Zh}最大为 {limit}。", $"{what.En} may be at most {limit}."),
            new Dictionary<string, Text[]> { ["file"] = [new Text($"超过 {limit}", $"larger than {limit}")] });
    }
}

/// <summary>A spooled upload (dispose it to delete the temporary file), or the problem that refused it.</summary>
public sealed record SpooledUpload(SpooledFile? File, string? FileName, string? ContentType, IResult? Problem) : IAsyncDisposable
{
    public static SpooledUpload Refused(IResult problem) => new(null, null, null, problem);

    public ValueTask DisposeAsync() => File?.DisposeAsync() ?? ValueTask.CompletedTask;
}
