using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;

namespace EduRelief.Hosting;

/// <summary>Uploaded files: the raw body, or the first file part of a multipart form, streamed rather than buffered.</summary>
public static class FileUploads
{
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
    public static IResult TooLarge(string what, long maxBytes)
    {
        var limit = $"{maxBytes / (1024 * 1024)} MiB";
        return TypedResults.Problem(title: "The file is too large", detail: $"{what} may be at most {limit}.", statusCode: StatusCodes.Status413PayloadTooLarge,
            extensions: new Dictionary<string, object?> { ["errors"] = new Dictionary<string, string[]> { ["file"] = [$"larger than {limit}"] } });
    }
}
