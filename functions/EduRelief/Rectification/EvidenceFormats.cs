using System.IO.Compression;

namespace EduRelief.Rectification;

/// <summary>
/// Evidence file types, told by their first bytes rather than by what the uploader declared: PDF (<c>%PDF-</c>), PNG,
/// JPEG, GIF, WEBP (<c>RIFF….WEBP</c>), and XLSX (a ZIP holding <c>[Content_Types].xml</c> and an <c>xl/</c> part).
/// </summary>
public static class EvidenceFormats
{
    public const string Pdf = "application/pdf";
    public const string Png = "image/png";
    public const string Jpeg = "image/jpeg";
    public const string Gif = "image/gif";
    public const string Webp = "image/webp";
    public const string Xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

    public static readonly IReadOnlyList<string> All = [Pdf, Png, Jpeg, Gif, Webp, Xlsx];

    private static readonly Dictionary<string, string> Extensions = new(StringComparer.OrdinalIgnoreCase)
    {
        [".pdf"] = Pdf,
        [".png"] = Png,
        [".jpg"] = Jpeg,
        [".jpeg"] = Jpeg,
        [".gif"] = Gif,
        [".webp"] = Webp,
        [".xlsx"] = Xlsx,
    };

    /// <summary>The type the bytes are, or null when they are none of the accepted types. The stream must be seekable.</summary>
    public static string? Detect(Stream content)
    {
        Span<byte> head = stackalloc byte[16];
        content.Position = 0;
        var read = content.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        head = head[..read];
        if (head.StartsWith("%PDF-"u8))
        {
            return Pdf;
        }

        if (head.StartsWith((ReadOnlySpan<byte>)[0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]))
        {
            return Png;
        }

        if (head.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xD8, 0xFF]))
        {
            return Jpeg;
        }

        if (head.StartsWith("GIF87a"u8) || head.StartsWith("GIF89a"u8))
        {
            return Gif;
        }

        if (read >= 12 && head.StartsWith("RIFF"u8) && head[8..12].SequenceEqual("WEBP"u8))
        {
            return Webp;
        }

        return head.StartsWith((ReadOnlySpan<byte>)[0x50, 0x4B, 0x03, 0x04]) && IsXlsx(content) ? Xlsx : null;
    }

    /// <summary>The type a file name's extension stands for, or null when the extension is not one of ours (or absent).</summary>
    public static string? FromFileName(string? fileName) =>
        Extensions.GetValueOrDefault(Path.GetExtension(fileName ?? ""));

    /// <summary>A declared media type in the form we compare: lower case, parameters dropped, <c>image/jpg</c> read as JPEG.</summary>
    public static string? Normalize(string? declared)
    {
        var type = declared?.Split(';')[0].Trim().ToLowerInvariant();
        return type switch
        {
            null or "" => null,
            "image/jpg" or "image/pjpeg" => Jpeg,
            _ => type,
        };
    }

    private static bool IsXlsx(Stream content)
    {
        try
        {
            content.Position = 0;
            using var zip = new ZipArchive(content, ZipArchiveMode.Read, leaveOpen: true);
            return zip.GetEntry("[Content_Types].xml") is not null
                && zip.Entries.Any(e => e.FullName.StartsWith("xl/", StringComparison.Ordinal));
        }
        catch (InvalidDataException)
        {
            return false;
        }
        finally
        {
            content.Position = 0;
        }
    }
}
