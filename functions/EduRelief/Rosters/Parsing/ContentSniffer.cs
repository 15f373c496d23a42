using System.Net.Http.Headers;
using EduRelief.Hosting;

namespace EduRelief.Rosters.Parsing;

/// <summary>Decides from the first bytes whether a file is a zip, text, or something else.</summary>
internal static class ContentSniffer
{
    private static ReadOnlySpan<byte> ZipLocalHeader => "PK\x03\x04"u8;

    private static ReadOnlySpan<byte> ZipEmptyArchive => "PK\x05\x06"u8;

    private static ReadOnlySpan<byte> OleCompoundFile => [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];

    private const int MaxStrayControlBytes = 4;

    public static bool IsZip(ReadOnlySpan<byte> bytes) => bytes.StartsWith(ZipLocalHeader) || bytes.StartsWith(ZipEmptyArchive);

    public static bool IsXlsxContentType(string? contentType) =>
        contentType is not null
        && MediaTypeHeaderValue.TryParse(contentType, out var parsed)
        && string.Equals(parsed.MediaType, RosterReader.XlsxContentType, StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// Throws "not a text file" when the sample (the first 8 KiB) cannot be CSV text: a NUL byte, a UTF-16 or UTF-32
    /// byte order mark, an Excel 97-2003 (.xls) header, or control bytes other than tab, line feed, form feed and
    /// carriage return: more than 4 of them and more than 1% of the sample (a stray one in a real export, such as a
    /// DOS end-of-file mark, is tolerated).
    /// </summary>
    public static void RequireText(ReadOnlySpan<byte> sample)
    {
        if (sample.Length > RosterReader.SniffLength)
        {
            sample = sample[..RosterReader.SniffLength];
        }

        if (sample.StartsWith(OleCompoundFile))
        {
            throw NotText(new Text("文件是 Excel 97-2003（.xls）工作簿，不受支持：请另存为 .xlsx 或 CSV。", "The file is an Excel 97-2003 (.xls) workbook, which is not supported: save it as .xlsx or as CSV."));
        }

        if (sample.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xFE]) || sample.StartsWith((ReadOnlySpan<byte>)[0xFE, 0xFF]))
        {
            throw NotText(new Text("文件是 UTF-16 文本，不受支持：请另存为 UTF-8 或 GBK 编码的 CSV。", "The file is UTF-16 text, which is not supported: save it as CSV in UTF-8 or GBK."));
        }

        if (sample.Contains((byte)0))
        {
            throw NotText(new Text("文件含有 NUL 字节：是二进制文件，不是 CSV 文本。", "The file contains NUL bytes: it is binary, not CSV text."));
        }

        var controls = 0;
        foreach (var b in sample)
        {
            if ((b < 0x20 && b is not ((byte)'\t' or (byte)'\n' or (byte)'\r' or 0x0C)) || b == 0x7F)
            {
                controls++;
            }
        }

        if (controls > Math.Max(MaxStrayControlBytes, sample.Length / 100))
        {
            throw NotText(new Text("文件含有控制字符：是二进制文件，不是 CSV 文本。", "The file contains control bytes: it is binary, not CSV text."));
        }
    }

    private static RosterFileException NotText(Text message) => RosterFileException.File(RosterErrors.NotText, message);
}
