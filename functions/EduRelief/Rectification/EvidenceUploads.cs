using EduRelief.Hosting;
using EduRelief.Rosters;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Net.Http.Headers;

namespace EduRelief.Rectification;

/// <summary>
/// An evidence file as a request carries it (the body with its Content-Type, or one multipart/form-data part): at most
/// 20 MiB, its type told by its first bytes and matching what was declared and its name's extension, its name kept with
/// any ID number masked, and stored content-addressed. Rectification items and 控辍保学 cases take evidence this way.
/// </summary>
public static class EvidenceUploads
{
    private const int MaxFileNameChars = 255;

    private static readonly Text What = new("佐证材料", "An evidence file");

    /// <summary>The stored file, or the problem that refused it (400 or 413).</summary>
    public static async Task<(EvidenceFile? File, ProblemHttpResult? Problem)> ReceiveAsync(
        HttpRequest http, string? fileName, string actor, RectificationStore store, TimeProvider clock, CancellationToken ct)
    {
        var sendAs = new Text($"请以请求体及其 Content-Type（{string.Join(", ", EvidenceFormats.All)}）或以 multipart/form-data 发送文件。", $"Send the file as the body with its Content-Type ({string.Join(", ", EvidenceFormats.All)}) or as multipart/form-data.");
        var (spooledFile, partName, declared, problem) = await SpoolAsync(http, RectificationStore.MaxEvidenceBytes, What, sendAs, ct);
        if (problem is not null)
        {
            return (null, problem);
        }

        // A scan is often named after the child's ID number; the name is kept with that number masked.
        var name = string.IsNullOrWhiteSpace(partName ?? fileName) ? null : SensitiveText.Mask(Path.GetFileName((partName ?? fileName)!.Trim()));
        if (name is { Length: > MaxFileNameChars })
        {
            name = name[..MaxFileNameChars];
        }

        await using var spooled = spooledFile!;
        if (spooled.Size == 0)
        {
            return (null, Problems.Invalid("file", new Text("文件为空。", "The file is empty.")));
        }

        string? detected;
        await using (var check = spooled.OpenRead())
        {
            detected = EvidenceFormats.Detect(check);
        }

        var declaredType = EvidenceFormats.Normalize(declared);
        if (detected is null)
        {
            return (null, Problems.Invalid("file", new Text("文件不是 PDF、PNG、JPEG、GIF、WEBP 图片或 XLSX 工作簿。", "The file is not a PDF, PNG, JPEG, GIF, WEBP image or XLSX workbook.")));
        }

        if (declaredType != detected)
        {
            return (null, Problems.Invalid("file", new Text($"文件声明为 {declaredType ?? "（未声明）"}，但内容是 {detected}。", $"The file was declared as {declaredType ?? "nothing"} but its content is {detected}.")));
        }

        if (name is not null && EvidenceFormats.FromFileName(name) != detected)
        {
            return (null, Problems.Invalid("file", new Text($"文件扩展名与其内容（{detected}）不符。", $"The file name's extension does not match its content ({detected}).")));
        }

        await store.SaveEvidenceBlobAsync(spooled.Path, spooled.Sha256, detected, ct);
        return (new EvidenceFile(spooled.Sha256, spooled.Size, detected, name, actor, clock.GetUtcNow()), null);
    }

    /// <summary>
    /// An uploaded file's bytes spooled to disk (the caller disposes it), with the multipart part's file name and the
    /// declared Content-Type; or the problem that refused it: larger than <paramref name="maxBytes"/> (413, naming
    /// <paramref name="what"/>), no parsable Content-Type (400, saying <paramref name="sendAs"/>), or not exactly one
    /// multipart file part. Evidence and 结对帮扶 photos are received this way; each then checks the content itself.
    /// </summary>
    public static async Task<(SpooledFile? File, string? PartName, string? Declared, ProblemHttpResult? Problem)> SpoolAsync(
        HttpRequest http, long maxBytes, Text what, Text sendAs, CancellationToken ct)
    {
        if (http.ContentLength > maxBytes + (64 * 1024))
        {
            return (null, null, null, FileUploads.TooLarge(what, maxBytes));
        }

        if (!MediaTypeHeaderValue.TryParse(http.ContentType, out var type))
        {
            return (null, null, null, Problems.Invalid("file", sendAs));
        }

        if (http.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = maxBytes + (64 * 1024);
        }

        var (body, partName, declared) = await FileUploads.OpenAsync(http, type, ct);
        if (body is null)
        {
            return (null, null, null, Problems.Invalid("file", new Text("multipart/form-data 必须且只能携带一个文件。", "multipart/form-data must carry one file part.")));
        }

        var spooled = await SpooledFile.CreateAsync(body, maxBytes, ct);
        return spooled is null ? (null, null, null, FileUploads.TooLarge(what, maxBytes)) : (spooled, partName, declared, null);
    }
}
