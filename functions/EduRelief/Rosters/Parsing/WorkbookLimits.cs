using System.IO.Compression;
using EduRelief.Hosting;

namespace EduRelief.Rosters.Parsing;

/// <summary>
/// Zip-bomb limits, checked against the sizes the zip's central directory declares before anything is inflated.
/// The declared sizes are binding: .NET's zip reader stops an entry's stream at its declared uncompressed length, so a
/// zip that understates a size yields truncated (damaged) XML, never more bytes than were checked here.
/// </summary>
internal static class WorkbookLimits
{
    /// <summary>A worksheet part (and any part without a tighter limit).</summary>
    public const long MaxPartBytes = 2L * 1024 * 1024 * 1024;

    /// <summary>The shared string table, which is held in memory.</summary>
    public const long MaxSharedStringsBytes = 512L * 1024 * 1024;

    /// <summary>[Content_Types].xml and the .rels parts, which the package reader loads whole.</summary>
    public const long MaxPackagePartBytes = 64L * 1024 * 1024;

    /// <summary>
    /// The workbook, styles and theme parts, which the Open XML SDK loads whole into a DOM when the package opens:
    /// real ones are kilobytes, so a few MiB is generous, and bounding them keeps a hostile attribute out of memory.
    /// </summary>
    public const long MaxLoadedWholeBytes = 8L * 1024 * 1024;

    /// <summary>A part that inflates to more than this ...</summary>
    public const long RatioCheckedAboveBytes = 10L * 1024 * 1024;

    /// <summary>... at a compression ratio above this is a bomb: real worksheet XML compresses far less.</summary>
    public const long MaxCompressionRatio = 200;

    public const int MaxEntries = 10_000;

    /// <summary>Why the entry may not be inflated, or null when it may.</summary>
    public static Text? Check(string name, long compressedBytes, long uncompressedBytes)
    {
        var limit = name.EndsWith("sharedStrings.xml", StringComparison.OrdinalIgnoreCase) ? MaxSharedStringsBytes
            : name.Equals("[Content_Types].xml", StringComparison.OrdinalIgnoreCase) || name.EndsWith(".rels", StringComparison.OrdinalIgnoreCase) ? MaxPackagePartBytes
            : IsLoadedWhole(name) ? MaxLoadedWholeBytes
            : MaxPartBytes;
        if (uncompressedBytes > limit)
        {
            return new Text($"部件 {name} 解压后为 {uncompressedBytes:N0} 字节，超过 {limit:N0} 字节的上限。", $"The part {name} would inflate to {uncompressedBytes:N0} bytes, more than the limit of {limit:N0}.");
        }

        if (uncompressedBytes > RatioCheckedAboveBytes && uncompressedBytes > MaxCompressionRatio * Math.Max(compressedBytes, 1))
        {
            return new Text($"部件 {name} 将从 {compressedBytes:N0} 字节解压为 {uncompressedBytes:N0} 字节，压缩比超过 {MaxCompressionRatio}:1。", $"The part {name} would inflate from {compressedBytes:N0} to {uncompressedBytes:N0} bytes, a compression ratio above {MaxCompressionRatio}:1.");
        }

        return null;
    }

    private static bool IsLoadedWhole(string name) =>
        name.Equals("xl/workbook.xml", StringComparison.OrdinalIgnoreCase)
        || name.Equals("xl/styles.xml", StringComparison.OrdinalIgnoreCase)
        || name.StartsWith("xl/theme/", StringComparison.OrdinalIgnoreCase);

    /// <summary>Reads the central directory only and throws when the zip is not a zip or breaks a limit.</summary>
    public static void CheckArchive(Stream stream)
    {
        stream.Position = 0;
        try
        {
            using var zip = new ZipArchive(stream, ZipArchiveMode.Read, leaveOpen: true);
            if (zip.Entries.Count > MaxEntries)
            {
                throw RosterFileException.File(RosterErrors.TooLarge, new Text($"工作簿有 {zip.Entries.Count:N0} 个部件，超过 {MaxEntries:N0} 个的上限。", $"The workbook has {zip.Entries.Count:N0} parts, more than the limit of {MaxEntries:N0}."));
            }

            foreach (var entry in zip.Entries)
            {
                if (Check(entry.FullName, entry.CompressedLength, entry.Length) is { } reason)
                {
                    throw RosterFileException.File(RosterErrors.TooLarge, reason);
                }
            }
        }
        catch (InvalidDataException)
        {
            throw RosterFileException.File(RosterErrors.NotWorkbook, new Text("文件不是有效的 zip 压缩包，因此不是 .xlsx 工作簿。", "The file is not a valid zip archive, so it cannot be an .xlsx workbook."));
        }
        finally
        {
            stream.Position = 0;
        }
    }
}
